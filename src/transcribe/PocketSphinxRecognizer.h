#pragma once
// The embedded recognizer: Debian's PocketSphinx with its US English model, giving word
// times and posterior confidences.
#include <string>

#include "transcribe/Recognizer.h"

typedef struct ps_decoder_s ps_decoder_t;

namespace parley::transcribe {

struct PocketSphinxSettings {
  std::string modelDir = "/usr/share/pocketsphinx/model/en-us";
  double languageWeight = 6.5;  // -lw
  double wordInsertionPenalty = 0.65;  // -wip
};

class PocketSphinxRecognizer final : public Recognizer {
 public:
  explicit PocketSphinxRecognizer(const PocketSphinxSettings& settings = {});
  ~PocketSphinxRecognizer() override;
  std::vector<Word> recognize(std::span<const float> samples) override;
  std::string name() const override { return "pocketsphinx"; }

 private:
  ps_decoder_t* decoder_ = nullptr;
};

}  // namespace parley::transcribe
