#pragma once
// What synthetic publishers send: real encoded media, made once and reused. Video is VP8
// from ffmpeg's libvpx (640x360, 30 fps, about 1.5 Mbit/s, a key frame every 10 s), kept as
// an IVF file in a cache folder; audio is Opus from libopus (a voice-like tone, 20 ms).
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

  // Throws std::runtime_error with what went wrong (no ffmpeg, unreadable file, ...).
  static SyntheticMedia make(const std::string& cacheDir);
};

// The frames of an IVF file (exposed for tests); throws on a malformed file.
std::vector<VideoFrame> readIvf(const std::string& path);

}  // namespace parley::bench
