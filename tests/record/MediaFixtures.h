#pragma once
// Real encoded media for the recording's tests, made by Debian's ffmpeg (libvpx, libx264)
// and libopus at test time, and packetized into RTP as browsers do (RFC 7741, RFC 6184 with
// STAP-A and FU-A, RFC 7587), so that what a recording writes can be checked by ffprobe.
#include <opus/opus.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/Clock.h"
#include "record/RoomRecording.h"

namespace parley::record::fixtures {

using Bytes = std::vector<std::uint8_t>;

// A directory of the test's own under the system's temporary one, removed afterwards.
class TempDirectory {
 public:
  explicit TempDirectory(const std::string& prefix)
      : path_(std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Pushes a packet into a recording, waiting while its queue is full (a test feeds faster
// than real time), until the recording has ended.
inline void pushWaiting(RoomRecording& r, std::uint32_t track, std::uint16_t seq, std::uint32_t ts, bool marker,
                        const Bytes& payload) {
  for (int tries = 0; tries < 1000 && !r.ended() && !r.pushPacket(track, seq, ts, marker, payload, steadyMicrosNow());
       ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

inline std::string run(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    ::pclose(pipe);
  }
  return out;
}

inline Bytes readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// VP8 frames of a test pattern: `seconds` at 30 frames a second, a key frame every second.
inline std::vector<Bytes> vp8Frames(const std::string& directory, double seconds, int width = 320, int height = 240) {
  const std::string path = directory + "/fixture.ivf";
  run("ffmpeg -v error -y -f lavfi -i testsrc=size=" + std::to_string(width) + "x" + std::to_string(height) +
      ":rate=30 -t " + std::to_string(seconds) + " -c:v libvpx -g 30 -b:v 300k -f ivf " + path);
  const Bytes ivf = readFile(path);
  std::vector<Bytes> frames;
  std::size_t i = 32;  // the file header
  while (i + 12 <= ivf.size()) {
    const std::size_t size = ivf[i] | ivf[i + 1] << 8 | ivf[i + 2] << 16 | static_cast<std::size_t>(ivf[i + 3]) << 24;
    i += 12;
    if (i + size > ivf.size()) break;
    frames.emplace_back(ivf.begin() + static_cast<std::ptrdiff_t>(i), ivf.begin() + static_cast<std::ptrdiff_t>(i + size));
    i += size;
  }
  return frames;
}

// H.264 access units (Annex B NAL units, without the delimiters) of a test pattern.
inline std::vector<std::vector<Bytes>> h264AccessUnits(const std::string& directory, double seconds) {
  const std::string path = directory + "/fixture.h264";
  run("ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=30 -t " + std::to_string(seconds) +
      " -pix_fmt yuv420p -c:v libx264 -profile:v baseline -x264-params aud=1:keyint=30:bframes=0 -f h264 " + path);
  const Bytes raw = readFile(path);
  std::vector<std::vector<Bytes>> units;
  std::vector<std::size_t> starts;  // where each NAL unit begins, after its start code
  for (std::size_t i = 0; i + 3 <= raw.size(); ++i) {
    if (raw[i] == 0 && raw[i + 1] == 0 && raw[i + 2] == 1) starts.push_back(i + 3);
  }
  for (std::size_t k = 0; k < starts.size(); ++k) {
    std::size_t end = k + 1 < starts.size() ? starts[k + 1] - 3 : raw.size();
    while (end > starts[k] && raw[end - 1] == 0) --end;
    Bytes nal(raw.begin() + static_cast<std::ptrdiff_t>(starts[k]), raw.begin() + static_cast<std::ptrdiff_t>(end));
    if (nal.empty()) continue;
    if ((nal[0] & 0x1F) == 9) {  // an access unit delimiter starts the next unit
      units.emplace_back();
      continue;
    }
    if (units.empty()) units.emplace_back();
    units.back().push_back(std::move(nal));
  }
  return units;
}

// 20 ms Opus packets of a `hertz` tone, 48 kHz stereo as browsers send.
inline std::vector<Bytes> opusPackets(double seconds, double hertz) {
  int error = 0;
  OpusEncoder* encoder = opus_encoder_create(48000, 2, OPUS_APPLICATION_VOIP, &error);
  std::vector<Bytes> packets;
  const int frame = 960;
  std::vector<float> pcm(frame * 2);
  for (int n = 0; n < static_cast<int>(seconds * 50); ++n) {
    for (int i = 0; i < frame; ++i) {
      const float v = 0.3f * static_cast<float>(std::sin(2 * M_PI * hertz * (n * frame + i) / 48000.0));
      pcm[2 * i] = pcm[2 * i + 1] = v;
    }
    Bytes out(1500);
    const int size = opus_encode_float(encoder, pcm.data(), frame, out.data(), static_cast<opus_int32>(out.size()));
    out.resize(static_cast<std::size_t>(std::max(size, 0)));
    packets.push_back(std::move(out));
  }
  opus_encoder_destroy(encoder);
  return packets;
}

struct RtpPayload {
  Bytes payload;
  bool marker = false;
};

// RFC 7741: one frame in packets of at most `maxData` bytes of VP8 data, with a 15-bit PictureID.
inline std::vector<RtpPayload> vp8Packetize(const Bytes& frame, std::uint16_t pictureId, std::size_t maxData = 1000) {
  std::vector<RtpPayload> out;
  for (std::size_t offset = 0; offset < frame.size(); offset += maxData) {
    const std::size_t n = std::min(maxData, frame.size() - offset);
    Bytes p = {static_cast<std::uint8_t>(0x80 | (offset == 0 ? 0x10 : 0)), 0x80,
               static_cast<std::uint8_t>(0x80 | ((pictureId >> 8) & 0x7F)), static_cast<std::uint8_t>(pictureId)};
    p.insert(p.end(), frame.begin() + static_cast<std::ptrdiff_t>(offset),
             frame.begin() + static_cast<std::ptrdiff_t>(offset + n));
    out.push_back({std::move(p), offset + n == frame.size()});
  }
  return out;
}

// RFC 6184 packetization mode 1, as browsers do: small units together in a STAP-A, large ones
// in FU-A fragments.
inline std::vector<RtpPayload> h264Packetize(const std::vector<Bytes>& unit, std::size_t maxData = 1000) {
  std::vector<RtpPayload> out;
  Bytes stap;
  auto flushStap = [&] {
    if (!stap.empty()) out.push_back({std::move(stap), false});
    stap.clear();
  };
  for (const Bytes& nal : unit) {
    if (nal.size() < 200) {
      if (stap.empty()) stap.push_back(static_cast<std::uint8_t>((nal[0] & 0x60) | 24));
      stap.push_back(static_cast<std::uint8_t>(nal.size() >> 8));
      stap.push_back(static_cast<std::uint8_t>(nal.size()));
      stap.insert(stap.end(), nal.begin(), nal.end());
      continue;
    }
    flushStap();
    if (nal.size() <= maxData) {
      out.push_back({nal, false});
      continue;
    }
    for (std::size_t offset = 1; offset < nal.size(); offset += maxData) {
      const std::size_t n = std::min(maxData, nal.size() - offset);
      Bytes p = {static_cast<std::uint8_t>((nal[0] & 0xE0) | 28),
                 static_cast<std::uint8_t>((offset == 1 ? 0x80 : 0) | (offset + n == nal.size() ? 0x40 : 0) |
                                           (nal[0] & 0x1F))};
      p.insert(p.end(), nal.begin() + static_cast<std::ptrdiff_t>(offset),
               nal.begin() + static_cast<std::ptrdiff_t>(offset + n));
      out.push_back({std::move(p), false});
    }
  }
  flushStap();
  if (!out.empty()) out.back().marker = true;
  return out;
}

// What ffprobe says of a file: its streams and format, as JSON (null if it cannot read it).
inline nlohmann::json probe(const std::string& path) {
  const std::string out = run("ffprobe -v error -show_entries format=duration:stream=codec_name,codec_type,width,height"
                              " -of json '" + path + "' 2>/dev/null");
  return nlohmann::json::parse(out, nullptr, false);
}

inline double probedDuration(const nlohmann::json& probed) {
  if (!probed.is_object() || !probed.contains("format")) return -1;
  return std::atof(probed["format"].value("duration", "-1").c_str());
}

// How many frames of the file's first stream a decoder gets.
inline int decodedFrames(const std::string& path) {
  const std::string out = run("ffprobe -v error -count_frames -select_streams 0 -show_entries stream=nb_read_frames"
                              " -of csv=p=0 '" + path + "' 2>/dev/null");
  return std::atoi(out.c_str());
}

// Every frame decoded without an error: what a player would show.
inline bool decodesCleanly(const std::string& path) {
  const std::string errors = run("ffmpeg -v error -i '" + path + "' -f null - 2>&1");
  return errors.empty();
}

}  // namespace parley::record::fixtures
