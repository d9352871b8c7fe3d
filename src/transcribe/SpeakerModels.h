#pragma once
// The diarizer's third step, on a label per frame (-1 outside speech): resegmentation with a
// GMM per speaker, the cross-likelihood check of the speaker count, and the score that picks
// the likeliest of several labellings. Internal to `transcribe`.
#include <cstdint>
#include <span>
#include <vector>

#include "transcribe/DiarizationSettings.h"
#include "transcribe/Mfcc.h"

namespace parley::transcribe {

// Each label's speech frames (labels 0 to the largest), to fit or score its model.
std::vector<std::vector<const MfccFrame*>> framesByLabel(const std::vector<int>& frameLabel,
                                                         std::span<const MfccFrame> features,
                                                         std::span<const std::uint8_t> speech);

// Relabels every speech frame with the speaker whose GMM explains the frames around it best
// (likelihoods averaged over `settings.smoothingFrames`), `settings.resegmentationPasses` times.
void resegment(std::vector<int>& frameLabel, std::span<const MfccFrame> features,
               std::span<const std::uint8_t> speech, const DiarizationSettings& settings);

// Merges speakers whose MAP-adapted models explain each other's speech better than the
// file's background model does (by `settings.mergeThreshold`).
void mergeByCrossLikelihood(std::vector<int>& frameLabel, std::span<const MfccFrame> features,
                            std::span<const std::uint8_t> speech, const DiarizationSettings& settings);

// How well a labelling explains the speech: each speaker's frames under a GMM of their own.
double labellingScore(const std::vector<int>& frameLabel, std::span<const MfccFrame> features,
                      std::span<const std::uint8_t> speech, int components);

}  // namespace parley::transcribe
