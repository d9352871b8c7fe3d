#include "transcribe/Diarizer.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "transcribe/GaussianStats.h"
#include "transcribe/SpeakerClustering.h"
#include "transcribe/SpeakerModels.h"

namespace parley::transcribe {

namespace {

constexpr int D = kCepstra;

// Diagonal statistics for the sliding change detector (a window of 1.5 s cannot
// estimate a full covariance).
double diagLogDet(std::span<const MfccFrame> frames) {
  double logDet = 0;
  const double n = static_cast<double>(frames.size());
  for (int i = 0; i < D; ++i) {
    double s = 0, ss = 0;
    for (const auto& f : frames) {
      s += f[i];
      ss += double(f[i]) * f[i];
    }
    logDet += std::log(std::max(1e-6, ss / n - (s / n) * (s / n)));
  }
  return logDet;
}


// Normalises each coefficient over the speech frames, so the regulariser and the penalties
// mean the same on every recording. Returns the number of speech frames.
std::size_t normaliseOverSpeech(std::vector<MfccFrame>& features, std::span<const std::uint8_t> speech) {
  const std::size_t frames = features.size();
  std::size_t speechFrames = 0;
  std::array<double, D> mean{}, var{};
  for (std::size_t t = 0; t < frames; ++t) {
    if (!speech[t]) continue;
    ++speechFrames;
    for (int i = 0; i < D; ++i) mean[i] += features[t][i];
  }
  if (speechFrames < 10) return speechFrames;
  const auto n = static_cast<double>(speechFrames);
  for (int i = 0; i < D; ++i) mean[i] /= n;
  for (std::size_t t = 0; t < frames; ++t) {
    if (!speech[t]) continue;
    for (int i = 0; i < D; ++i) var[i] += (features[t][i] - mean[i]) * (features[t][i] - mean[i]);
  }
  for (int i = 0; i < D; ++i) var[i] = std::sqrt(std::max(var[i] / n, 1e-6));
  for (auto& f : features)
    for (int i = 0; i < D; ++i) f[i] = static_cast<float>((f[i] - mean[i]) / var[i]);
  return speechFrames;
}

// A label per frame from the segments' clusters, -1 outside them.
std::vector<int> labelsOfSegments(const std::vector<SpeakerSegment>& segments, std::size_t frames) {
  std::vector<int> frameLabel(frames, -1);
  for (const auto& seg : segments)
    for (std::size_t t = seg.begin; t < seg.end; ++t) frameLabel[t] = seg.cluster;
  return frameLabel;
}

// Turns from a label per frame, speakers numbered by first appearance; a short pause between
// two stretches of the same speaker belongs to the turn (people breathe inside sentences, and
// references count a turn from its first word to its last).
std::vector<SpeakerTurn> turnsOf(const std::vector<int>& frameLabel, std::span<const std::uint8_t> speech,
                                 double bridgePauseSeconds) {
  const std::size_t frames = frameLabel.size();
  std::vector<SpeakerTurn> turns;
  std::map<int, int> renumber;
  for (std::size_t t = 0; t < frames;) {
    if (frameLabel[t] < 0 || !speech[t]) {
      ++t;
      continue;
    }
    const int label = frameLabel[t];
    std::size_t end = t;
    while (end < frames && speech[end] && frameLabel[end] == label) ++end;
    if (!renumber.count(label)) renumber[label] = static_cast<int>(renumber.size());
    const double start = static_cast<double>(t) / 100.0;
    if (!turns.empty() && turns.back().speaker == renumber[label] && start - turns.back().end < bridgePauseSeconds)
      turns.back().end = static_cast<double>(end) / 100.0;
    else
      turns.push_back({start, static_cast<double>(end) / 100.0, renumber[label]});
    t = end;
  }
  return turns;
}

}  // namespace

double deltaBic(std::span<const MfccFrame> a, std::span<const MfccFrame> b, double penalty) {
  GaussianStats sa, sb;
  for (const auto& f : a) sa.add(f);
  for (const auto& f : b) sb.add(f);
  return bic(sa, sb, penalty);
}

std::vector<std::size_t> Diarizer::detectChanges(std::span<const MfccFrame> features, std::size_t begin,
                                                 std::size_t end) const {
  std::vector<std::size_t> changes;
  const std::size_t w = static_cast<std::size_t>(settings_.changeWindowFrames);
  if (end - begin < 2 * w) return changes;
  const double diagParams = 2.0 * D;
  std::vector<std::pair<std::size_t, double>> scores;
  for (std::size_t t = begin + w; t + w <= end; t += 10) {
    const auto left = features.subspan(t - w, w);
    const auto right = features.subspan(t, w);
    const auto both = features.subspan(t - w, 2 * w);
    const double n = static_cast<double>(2 * w);
    const double score = 0.5 * (n * diagLogDet(both) - w * diagLogDet(left) - w * diagLogDet(right)) -
                         settings_.changePenalty * 0.5 * diagParams * std::log(n);
    scores.emplace_back(t, score);
  }
  // Local maxima above zero, at least a window apart.
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (scores[i].second <= 0) continue;
    bool peak = true;
    for (std::size_t j = (i >= 10 ? i - 10 : 0); j < std::min(scores.size(), i + 11); ++j) {
      if (j != i && scores[j].second > scores[i].second) peak = false;
    }
    if (peak && (changes.empty() || scores[i].first - changes.back() >= w / 2)) changes.push_back(scores[i].first);
  }
  return changes;
}

std::vector<SpeakerSegment> Diarizer::cutSpeech(std::span<const MfccFrame> features, std::span<const std::uint8_t> speech,
                                              int maxSegmentFrames) const {
  const std::size_t frames = std::min(features.size(), speech.size());
  const auto longest = static_cast<std::size_t>(maxSegmentFrames);
  std::vector<SpeakerSegment> segments;
  for (std::size_t t = 0; t < frames;) {
    if (!speech[t]) {
      ++t;
      continue;
    }
    std::size_t end = t;
    while (end < frames && speech[end]) ++end;
    if (end - t >= 10) {
      auto cuts = detectChanges(features, t, end);
      cuts.push_back(end);
      std::size_t from = t;
      for (std::size_t cut : cuts) {
        const std::size_t length = cut - from;
        const std::size_t pieces = std::max<std::size_t>(1, (length + longest - 1) / longest);
        for (std::size_t p = 0; p < pieces; ++p) {
          segments.push_back({from + length * p / pieces, from + length * (p + 1) / pieces});
        }
        from = cut;
      }
    }
    t = end;
  }
  return segments;
}

std::vector<int> Diarizer::labelFrames(std::span<const MfccFrame> features, std::span<const std::uint8_t> speech,
                                       std::optional<int> speakers, int maxSegmentFrames) const {
  const std::size_t frames = std::min(features.size(), speech.size());
  std::vector<SpeakerSegment> segments = cutSpeech(features, speech, maxSegmentFrames);
  if (segments.empty()) return std::vector<int>(frames, -1);
  clusterSegments(segments, features, speakers, settings_);
  std::vector<int> frameLabel = labelsOfSegments(segments, frames);
  resegment(frameLabel, features, speech, settings_);
  const bool countIsOurs = !speakers;
  if (countIsOurs && settings_.mergeThreshold < 1e9) mergeByCrossLikelihood(frameLabel, features, speech, settings_);
  return frameLabel;
}

std::vector<int> Diarizer::likeliestLabelling(std::span<const MfccFrame> features, std::span<const std::uint8_t> speech,
                                              std::optional<int> speakers, std::size_t speechFrames) const {
  // Clustering is a local search whose result hangs on where the speech is first cut: on a
  // short recording, a few segments more or less can join two speakers or split one. So
  // where clustering is cheap (few segments) it is run from several cuttings, and the
  // labelling that explains the speech best (a GMM per speaker) is kept.
  std::vector<int> lengths{settings_.maxSegmentFrames};
  for (int alternative : settings_.alternativeSegmentFrames)
    if (alternative > 0 && speechFrames / static_cast<std::size_t>(alternative) <= settings_.alternativesUpToSegments)
      lengths.push_back(alternative);
  std::vector<int> frameLabel = labelFrames(features, speech, speakers, lengths.front());
  if (lengths.size() == 1) return frameLabel;
  // Each labelling's count already passed the cross-likelihood check, so comparing plain
  // likelihoods across counts does not simply reward splitting a speaker.
  double bestScore = labellingScore(frameLabel, features, speech, settings_.gmmComponents);
  for (std::size_t i = 1; i < lengths.size(); ++i) {
    auto labels = labelFrames(features, speech, speakers, lengths[i]);
    const double score = labellingScore(labels, features, speech, settings_.gmmComponents);
    if (score > bestScore) {
      bestScore = score;
      frameLabel = std::move(labels);
    }
  }
  return frameLabel;
}

std::vector<SpeakerTurn> Diarizer::diarize(std::vector<MfccFrame> features, std::span<const std::uint8_t> speech,
                                           std::optional<int> speakers) const {
  const std::size_t frames = std::min(features.size(), speech.size());
  if (frames == 0) return {};
  features.resize(frames);
  const std::size_t speechFrames = normaliseOverSpeech(features, speech);
  if (speechFrames < 10) return {};
  const auto frameLabel = likeliestLabelling(features, speech, speakers, speechFrames);
  return turnsOf(frameLabel, speech, settings_.bridgePauseSeconds);
}

}  // namespace parley::transcribe
