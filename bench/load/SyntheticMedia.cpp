#include "SyntheticMedia.h"

#include <unistd.h>

#include <opus.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace parley::bench {

namespace {

std::uint32_t le32(const std::uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24; }

std::vector<std::vector<std::uint8_t>> makeOpus() {
  int error = 0;
  OpusEncoder* encoder = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &error);
  if (!encoder) throw std::runtime_error("libopus cannot make an encoder");
  opus_encoder_ctl(encoder, OPUS_SET_BITRATE(32000));
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<float> pcm(960);
  std::uint8_t out[1500];
  for (int frame = 0; frame < 50; ++frame) {
    // A 180 Hz voice with syllables: never silent, so no DTX-sized packets.
    for (int i = 0; i < 960; ++i) {
      const double t = (frame * 960 + i) / 48000.0;
      pcm[i] = static_cast<float>(0.3 * (0.6 + 0.4 * std::sin(2 * M_PI * 4 * t)) * std::sin(2 * M_PI * 180 * t));
    }
    const int n = opus_encode_float(encoder, pcm.data(), 960, out, sizeof out);
    if (n <= 0) throw std::runtime_error("libopus could not encode");
    packets.emplace_back(out, out + n);
  }
  opus_encoder_destroy(encoder);
  return packets;
}

}  // namespace

std::vector<VideoFrame> readIvf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 32 || std::string(bytes.begin(), bytes.begin() + 4) != "DKIF") {
    throw std::runtime_error(path + " is not an IVF file");
  }
  const std::size_t headerSize = bytes[6] | bytes[7] << 8;
  std::vector<VideoFrame> frames;
  for (std::size_t at = headerSize; at + 12 <= bytes.size();) {
    const std::size_t size = le32(&bytes[at]);
    at += 12;
    if (size == 0 || at + size > bytes.size()) throw std::runtime_error(path + " has a truncated frame");
    VideoFrame frame;
    frame.data.assign(bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(at + size));
    frame.keyFrame = (frame.data[0] & 0x01) == 0;  // VP8's inverted key-frame bit (RFC 6386)
    frames.push_back(std::move(frame));
    at += size;
  }
  if (frames.empty()) throw std::runtime_error(path + " has no frames");
  return frames;
}

namespace {

// The cached IVF of testsrc2 at this size and rate, made with ffmpeg the first time.
std::vector<VideoFrame> cachedVp8(const std::string& cacheDir, int width, int height, int kbps) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  const std::string rate = std::to_string(kbps) + "k";
  const std::string ivf = cacheDir + "/vp8-" + size + "-30fps-" + rate + ".ivf";
  struct stat st {};
  if (stat(ivf.c_str(), &st) != 0) {
    // Made under a name of this process's own, then renamed into place (atomic): runs side
    // by side never read each other's half-written file.
    const std::string part = ivf + "." + std::to_string(::getpid()) + ".part";
    const std::string command = "ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=" + size +
                                ":rate=30 -t 10 -c:v libvpx -b:v " + rate + " -minrate " + rate + " -maxrate " + rate +
                                " -g 300 -deadline realtime -cpu-used 8 -f ivf '" + part + "' && mv -f '" + part +
                                "' '" + ivf + "'";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("ffmpeg could not make " + ivf);
  }
  return readIvf(ivf);
}

}  // namespace

SyntheticMedia SyntheticMedia::make(const std::string& cacheDir, bool simulcast) {
  ::mkdir(cacheDir.c_str(), 0755);
  SyntheticMedia media;
  media.video = cachedVp8(cacheDir, 640, 360, 1500);
  if (simulcast) {
    media.layers = {cachedVp8(cacheDir, 160, 90, 150), cachedVp8(cacheDir, 320, 180, 500), media.video};
    for (const auto& layer : media.layers) {
      if (layer.size() != media.video.size() || !layer.front().keyFrame) {
        throw std::runtime_error("the simulcast layers in " + cacheDir + " are not in step (delete them to remake)");
      }
    }
  }
  media.audio = makeOpus();
  return media;
}

}  // namespace parley::bench
