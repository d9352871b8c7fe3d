#pragma once
// What synthetic publishers send: real encoded media, made once and reused. Video is VP8
// from ffmpeg's libvpx (640x360, 30 fps, about 1.5 Mbit/s, a key frame every 10 s), kept as
// an IVF file in a cache folder; with simulcast, also 160x90 at 150 kbit/s and 320x180 at
// 500 kbit/s (the web client's three layers), frame for frame in step with it. Audio is Opus
// from libopus (a voice-like tone, 20 ms).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley::bench {

struct VideoFrame {
  std::vector<std::uint8_t> data;
  bool keyFrame = false;
};

struct SyntheticMedia {
  std::vector<VideoFrame> video;                 // 30 a second, looped
  std::vector<std::vector<std::uint8_t>> audio;  // 50 a second, looped
  // With simulcast, the layers smallest first (the last is `video`), all as long as `video`
  // with their key frames at the same places; empty otherwise.
  std::vector<std::vector<VideoFrame>> layers;

  // Throws std::runtime_error with what went wrong (no ffmpeg, unreadable file, ...).
  static SyntheticMedia make(const std::string& cacheDir, bool simulcast = false);
};

// The frames of an IVF file (exposed for tests); throws on a malformed file.
std::vector<VideoFrame> readIvf(const std::string& path);

}  // namespace parley::bench
