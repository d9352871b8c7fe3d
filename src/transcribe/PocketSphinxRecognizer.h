#pragma once
// The embedded recognizer: Debian's PocketSphinx with its US English model, giving word
// times and posterior confidences.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "transcribe/Recognizer.h"

typedef struct ps_decoder_s ps_decoder_t;
typedef struct fe_s fe_t;

namespace parley::transcribe {

struct PocketSphinxSettings {
  std::string modelDir = "/usr/share/pocketsphinx/model/en-us";
  double languageWeight = 6.5;  // -lw
  double wordInsertionPenalty = 0.65;  // -wip
};

// What streaming recognizers learn of each speaker's channel (the cepstral mean their
// utterances end with), shared by the recognizers of all threads so that a speaker's next
// utterance starts well whichever thread takes it. Bounded: past `capacity` speakers it
// starts afresh.
class SpeakerChannels {
 public:
  explicit SpeakerChannels(std::size_t capacity = 4096) : capacity_(capacity) {}
  std::vector<float> find(const std::string& speaker) const;  // empty if unknown
  void store(const std::string& speaker, std::vector<float> mean);

 private:
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::map<std::string, std::vector<float>> means_;
};

class PocketSphinxRecognizer final : public Recognizer {
 public:
  explicit PocketSphinxRecognizer(const PocketSphinxSettings& settings = {},
                                  std::shared_ptr<SpeakerChannels> channels = std::make_shared<SpeakerChannels>());
  ~PocketSphinxRecognizer() override;
  std::vector<Word> recognize(std::span<const float> samples) override;
  std::string name() const override { return "pocketsphinx"; }

  void beginUtterance(const std::string& speaker) override;
  void feed(std::span<const float> samples) override;
  std::string partialText() override;
  std::vector<Word> endUtterance() override;

 private:
  void process(std::span<const float> samples, bool wholeUtterance);
  void startStream(const std::vector<float>& mean);
  std::vector<float> meanCepstrum(std::span<const float> samples);
  std::vector<Word> words();

  ps_decoder_t* decoder_ = nullptr;
  std::vector<std::int16_t> pcm_;
  // Streaming normalises cepstra by a running mean (a whole utterance uses its own): per
  // speaker, the mean their last utterances ended with; for a new speaker, the mean of
  // their first three seconds, which are held back until then. (Decoding a first
  // utterance again as a whole would be better, but a whole-utterance decode between two
  // streamed ones truncated the next in this PocketSphinx.)
  static constexpr std::size_t kHeldSamples = 3 * 16000;
  std::shared_ptr<SpeakerChannels> channels_;
  fe_t* meanFrontEnd_ = nullptr;  // its own: the decoder's front end counts frames across calls
  std::string speaker_;
  std::vector<float> held_;
  bool streaming_ = false;
};

}  // namespace parley::transcribe
