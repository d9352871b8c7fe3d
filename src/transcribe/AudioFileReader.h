#pragma once
// Reads any recording libsndfile knows (WAV of any rate, channels and sample format, FLAC,
// Ogg Vorbis/Opus, MP3) as 16 kHz mono float, a block at a time: memory stays bounded
// whatever the length of the file.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace parley::transcribe {

inline constexpr int kSampleRate = 16000;

class AudioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AudioFileReader {
 public:
  // Throws AudioError with a one-line reason (missing, not audio, truncated header, ...).
  explicit AudioFileReader(const std::string& path);
  ~AudioFileReader();
  AudioFileReader(const AudioFileReader&) = delete;
  AudioFileReader& operator=(const AudioFileReader&) = delete;

  // Appends up to about `maxSamples` 16 kHz mono samples to `out`; false at the end.
  bool read(std::vector<float>& out, std::size_t maxSamples = kSampleRate);
  double durationSeconds() const { return duration_; }  // from the header; 0 if unknown

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  double duration_ = 0;
};

// Whole file, for tests and short inputs.
std::vector<float> readWholeFile(const std::string& path);

}  // namespace parley::transcribe
