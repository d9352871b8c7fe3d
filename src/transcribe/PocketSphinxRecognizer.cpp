#include "transcribe/PocketSphinxRecognizer.h"

#include <pocketsphinx.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace parley::transcribe {

PocketSphinxRecognizer::PocketSphinxRecognizer(const PocketSphinxSettings& settings) {
  const std::string hmm = settings.modelDir + "/en-us";
  const std::string lm = settings.modelDir + "/en-us.lm.bin";
  const std::string dict = settings.modelDir + "/cmudict-en-us.dict";
  struct stat st {};
  if (stat(lm.c_str(), &st) != 0) {
    throw RecognizerError("the PocketSphinx model is missing (" + lm + "): install pocketsphinx-en-us");
  }
  const std::string lw = std::to_string(settings.languageWeight);
  const std::string wip = std::to_string(settings.wordInsertionPenalty);
  cmd_ln_t* config = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-lm", lm.c_str(), "-dict",
                                 dict.c_str(), "-lw", lw.c_str(), "-wip", wip.c_str(), "-bestpath", "yes",
                                 "-logfn", "/dev/null", nullptr);
  if (!config) throw RecognizerError("PocketSphinx rejected its configuration");
  decoder_ = ps_init(config);
  cmd_ln_free_r(config);
  if (!decoder_) throw RecognizerError("PocketSphinx could not load its model from " + settings.modelDir);
}

PocketSphinxRecognizer::~PocketSphinxRecognizer() {
  if (decoder_) ps_free(decoder_);
}

std::vector<Word> PocketSphinxRecognizer::recognize(std::span<const float> samples) {
  std::vector<std::int16_t> pcm(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    pcm[i] = static_cast<std::int16_t>(std::lround(std::clamp(samples[i], -1.0f, 1.0f) * 32767.0f));
  }
  if (ps_start_utt(decoder_) < 0) throw RecognizerError("PocketSphinx could not start an utterance");
  ps_process_raw(decoder_, pcm.data(), pcm.size(), FALSE, TRUE);
  ps_end_utt(decoder_);
  std::vector<Word> words;
  ps_get_prob(decoder_);  // computes the posteriors the segments report
  logmath_t* logmath = ps_get_logmath(decoder_);
  for (ps_seg_t* seg = ps_seg_iter(decoder_); seg; seg = ps_seg_next(seg)) {
    std::string word = ps_seg_word(seg);
    // Silence, sentence marks and fillers ("<sil>", "[NOISE]", "<s>") are not words.
    if (word.empty() || word[0] == '<' || word[0] == '[') continue;
    if (const auto paren = word.find('('); paren != std::string::npos) word.erase(paren);  // "read(2)"
    int startFrame = 0, endFrame = 0;
    ps_seg_frames(seg, &startFrame, &endFrame);
    std::int32_t acoustic = 0, language = 0, backoff = 0;
    const std::int32_t posterior = ps_seg_prob(seg, &acoustic, &language, &backoff);
    double confidence = logmath_exp(logmath, posterior);
    if (!std::isfinite(confidence)) confidence = 0;
    words.push_back({word, startFrame / 100.0, (endFrame + 1) / 100.0, std::clamp(confidence, 0.0, 1.0)});
  }
  return words;
}

}  // namespace parley::transcribe
