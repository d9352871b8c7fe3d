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
};

}  // namespace parley::transcribe
