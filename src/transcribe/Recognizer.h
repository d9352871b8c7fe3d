#pragma once
// Speech recognition behind one interface: the embedded PocketSphinx, or an
// OpenAI-compatible server. One call per speech segment; times are relative to it.
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "transcribe/Transcript.h"

namespace parley::transcribe {

class RecognizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Recognizer {
 public:
  virtual ~Recognizer() = default;
  // Words in 16 kHz mono `samples`, with times in seconds from its start. Throws
  // RecognizerError when the recognizer cannot answer (after its own retries).
  virtual std::vector<Word> recognize(std::span<const float> samples) = 0;
  virtual std::string name() const = 0;

  // Streaming, for live captions: one utterance at a time, fed as it is spoken. A recognizer
  // that can decode incrementally (PocketSphinx) overrides these and gives partial text; the
  // default keeps the audio and recognizes it at the end (an HTTP server takes whole files).
  // `speaker` names whose voice it is (a track), so a recognizer can carry what it learnt
  // about that channel from one utterance to the next.
  virtual void beginUtterance(const std::string& speaker) {
    (void)speaker;
    streamed_.clear();
  }
  virtual void feed(std::span<const float> samples) { streamed_.insert(streamed_.end(), samples.begin(), samples.end()); }
  // The words so far; empty when the recognizer cannot tell before the end.
  virtual std::string partialText() { return {}; }
  virtual std::vector<Word> endUtterance() {
    std::vector<float> samples = std::move(streamed_);
    streamed_.clear();
    return recognize(samples);
  }

 private:
  std::vector<float> streamed_;
};

}  // namespace parley::transcribe
