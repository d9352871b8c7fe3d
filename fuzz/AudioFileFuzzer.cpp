// libFuzzer: any bytes as a recording (WAV, FLAC, Ogg, MP3 headers through libsndfile, then
// our channel mixing and resampling): a clear AudioError or samples, never a crash or a hang.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "transcribe/AudioFileReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("audio", 0);
  if (fd < 0) return 0;
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    parley::transcribe::AudioFileReader reader(path);
    std::vector<float> samples;
    // A header may promise hours; what the bytes hold is what can be read.
    for (int block = 0; block < 64 && reader.read(samples, 16000); ++block) {
      for (float s : samples)
        if (!std::isfinite(s)) __builtin_trap();
      samples.clear();
    }
  } catch (const parley::transcribe::AudioError&) {
  }
  return 0;
}
