#pragma once
// Who spoke when, without trained speaker models: speech regions, speaker-change
// detection with the Bayesian information criterion, bottom-up clustering of full-
// covariance Gaussians (ΔBIC, automatic speaker count or a given one), then Viterbi-
// free resegmentation with one GMM per speaker over smoothed frame likelihoods, and a
// cross-likelihood check of the count. Short recordings are labelled from three cuttings
// of their speech and the likeliest labelling kept.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "transcribe/DiarizationSettings.h"
#include "transcribe/Mfcc.h"
#include "transcribe/SpeakerClustering.h"

namespace parley::transcribe {

struct SpeakerTurn {
  double start = 0;
  double end = 0;
  int speaker = 0;  // 0, 1, ... in order of first appearance
};

class Diarizer {
 public:
  explicit Diarizer(DiarizationSettings settings = {}) : settings_(settings) {}

  // `features`: one MFCC frame per 10 ms, taken (normalised in place: a two-hour recording's
  // are 55 MB, so move them in); `speech`: the speech decision of each frame. `speakers`:
  // the number of speakers if known.
  std::vector<SpeakerTurn> diarize(std::vector<MfccFrame> features, std::span<const std::uint8_t> speech,
                                   std::optional<int> speakers = std::nullopt) const;

  // Exposed for tests: change points (frame indices) inside [begin, end).
  std::vector<std::size_t> detectChanges(std::span<const MfccFrame> features, std::size_t begin,
                                         std::size_t end) const;

 private:
  // The steps, on normalised features. 1: speech regions cut at speaker changes and into
  // pieces of at most `maxSegmentFrames`.
  std::vector<SpeakerSegment> cutSpeech(std::span<const MfccFrame> features, std::span<const std::uint8_t> speech,
                                       int maxSegmentFrames) const;
  // 1 to 3 (cutting, clustering, resegmentation and the count's check): a speaker label per
  // frame, -1 outside speech.
  std::vector<int> labelFrames(std::span<const MfccFrame> features, std::span<const std::uint8_t> speech,
                               std::optional<int> speakers, int maxSegmentFrames) const;
  // The likeliest of the labellings from each cutting length cheap enough to try.
  std::vector<int> likeliestLabelling(std::span<const MfccFrame> features, std::span<const std::uint8_t> speech,
                                      std::optional<int> speakers, std::size_t speechFrames) const;

  DiarizationSettings settings_;
};

// ΔBIC of modelling two sets of frames with one full-covariance Gaussian rather than two
// (positive: different speakers), for tests and the clustering.
double deltaBic(std::span<const MfccFrame> a, std::span<const MfccFrame> b, double penalty);

}  // namespace parley::transcribe
