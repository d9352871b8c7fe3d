#include "transcribe/PocketSphinxRecognizer.h"

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace parley::transcribe {

std::vector<float> SpeakerChannels::find(const std::string& speaker) const {
  std::lock_guard lock(mutex_);
  const auto it = means_.find(speaker);
  return it == means_.end() ? std::vector<float>{} : it->second;
}

void SpeakerChannels::store(const std::string& speaker, std::vector<float> mean) {
  std::lock_guard lock(mutex_);
  if (means_.size() >= capacity_ && !means_.count(speaker)) means_.clear();
  means_[speaker] = std::move(mean);
}

PocketSphinxRecognizer::PocketSphinxRecognizer(const PocketSphinxSettings& settings,
                                               std::shared_ptr<SpeakerChannels> channels)
    : channels_(std::move(channels)) {
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
  // Borrows the decoder's configuration: this version's fe_free does not release it.
  meanFrontEnd_ = fe_init_auto_r(ps_get_config(decoder_));
  if (!meanFrontEnd_) throw RecognizerError("PocketSphinx could not make a front end");
}

PocketSphinxRecognizer::~PocketSphinxRecognizer() {
  if (meanFrontEnd_) fe_free(meanFrontEnd_);
  if (decoder_) ps_free(decoder_);
}

std::vector<Word> PocketSphinxRecognizer::recognize(std::span<const float> samples) {
  // A whole utterance at once: cepstral mean normalisation over all of it, which is more
  // accurate than the running estimate a stream must use.
  if (ps_start_utt(decoder_) < 0) throw RecognizerError("PocketSphinx could not start an utterance");
  process(samples, true);
  ps_end_utt(decoder_);
  return words();
}

void PocketSphinxRecognizer::beginUtterance(const std::string& speaker) {
  speaker_ = speaker;
  held_.clear();
  streaming_ = false;
  if (auto known = channels_->find(speaker_); !known.empty()) startStream(known);
}

void PocketSphinxRecognizer::feed(std::span<const float> samples) {
  if (streaming_) {
    process(samples, false);
    return;
  }
  held_.insert(held_.end(), samples.begin(), samples.end());
  if (held_.size() >= kHeldSamples) startStream(meanCepstrum(held_));
}

std::vector<float> PocketSphinxRecognizer::meanCepstrum(std::span<const float> samples) {
  // Through a front end configured like the decoder's.
  const int width = fe_get_output_size(meanFrontEnd_);
  std::vector<std::int16_t> pcm(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i)
    pcm[i] = static_cast<std::int16_t>(std::lround(std::clamp(samples[i], -1.0f, 1.0f) * 32767.0f));
  const std::size_t capacity = samples.size() / 160 + 2;
  std::vector<mfcc_t> cepstra(static_cast<std::size_t>(width) * capacity);
  std::vector<mfcc_t*> rows(capacity);
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = cepstra.data() + r * width;
  const std::int16_t* in = pcm.data();
  std::size_t left = pcm.size();
  auto frames = static_cast<std::int32_t>(rows.size());
  fe_start_utt(meanFrontEnd_);
  fe_process_frames(meanFrontEnd_, &in, &left, rows.data(), &frames, nullptr);
  std::vector<float> mean;
  if (frames <= 0) return mean;
  mean.assign(static_cast<std::size_t>(width), 0.0f);
  for (int f = 0; f < frames; ++f)
    for (int i = 0; i < width; ++i) mean[i] += rows[f][i] / static_cast<float>(frames);
  return mean;
}

void PocketSphinxRecognizer::startStream(const std::vector<float>& mean) {
  if (!mean.empty()) cmn_live_set(ps_get_feat(decoder_)->cmn_struct, mean.data());
  if (ps_start_utt(decoder_) < 0) throw RecognizerError("PocketSphinx could not start an utterance");
  streaming_ = true;
  process(held_, false);
  held_.clear();
}

std::string PocketSphinxRecognizer::partialText() {
  if (!streaming_) return {};
  std::int32_t score = 0;
  const char* hyp = ps_get_hyp(decoder_, &score);
  return hyp ? hyp : "";
}

std::vector<Word> PocketSphinxRecognizer::endUtterance() {
  if (!streaming_) startStream(meanCepstrum(held_));
  ps_end_utt(decoder_);
  streaming_ = false;
  // Remember where this speaker's channel stands for their next utterance.
  cmn_t* cmn = ps_get_feat(decoder_)->cmn_struct;
  std::vector<float> mean(static_cast<std::size_t>(cmn->veclen));
  cmn_live_get(cmn, mean.data());
  channels_->store(speaker_, std::move(mean));
  return words();
}

void PocketSphinxRecognizer::process(std::span<const float> samples, bool wholeUtterance) {
  pcm_.resize(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    pcm_[i] = static_cast<std::int16_t>(std::lround(std::clamp(samples[i], -1.0f, 1.0f) * 32767.0f));
  }
  ps_process_raw(decoder_, pcm_.data(), pcm_.size(), FALSE, wholeUtterance ? TRUE : FALSE);
}

std::vector<Word> PocketSphinxRecognizer::words() {
  std::vector<Word> words;
  ps_get_prob(decoder_);  // computes the posteriors the segments report
  logmath_t* logmath = ps_get_logmath(decoder_);
  // Streaming makes the decoder number frames from its creation, not from the utterance
  // (PocketSphinx 5prealpha keeps the front end's count): the first segment, "<s>" or
  // silence, marks the utterance's frame zero.
  std::optional<int> firstFrame;
  for (ps_seg_t* seg = ps_seg_iter(decoder_); seg; seg = ps_seg_next(seg)) {
    int startFrame = 0, endFrame = 0;
    ps_seg_frames(seg, &startFrame, &endFrame);
    if (!firstFrame) firstFrame = startFrame;
    startFrame -= *firstFrame;
    endFrame -= *firstFrame;
    std::string word = ps_seg_word(seg);
    // Silence, sentence marks and fillers ("<sil>", "[NOISE]", "<s>") are not words.
    if (word.empty() || word[0] == '<' || word[0] == '[') continue;
    if (const auto paren = word.find('('); paren != std::string::npos) word.erase(paren);  // "read(2)"
    std::int32_t acoustic = 0, language = 0, backoff = 0;
    const std::int32_t posterior = ps_seg_prob(seg, &acoustic, &language, &backoff);
    double confidence = logmath_exp(logmath, posterior);
    if (!std::isfinite(confidence)) confidence = 0;
    words.push_back({word, startFrame / 100.0, (endFrame + 1) / 100.0, std::clamp(confidence, 0.0, 1.0)});
  }
  return words;
}

}  // namespace parley::transcribe
