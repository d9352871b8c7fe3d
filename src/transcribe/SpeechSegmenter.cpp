#include "transcribe/SpeechSegmenter.h"

#include <algorithm>
#include <limits>
#include <cmath>

namespace parley::transcribe {

namespace {
constexpr std::size_t kFrame = 160;  // 10 ms at 16 kHz
}

SpeechSegmenter::SpeechSegmenter(Sink sink, SegmenterSettings settings, SpeechProgress progress)
    : sink_(std::move(sink)), settings_(settings), progress_(std::move(progress)) {}

void SpeechSegmenter::feed(std::span<const float> samples) {
  pending_.insert(pending_.end(), samples.begin(), samples.end());
  std::size_t offset = 0;
  while (pending_.size() - offset >= kFrame) {
    processFrame(pending_.data() + offset);
    offset += kFrame;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(offset));
}

void SpeechSegmenter::processFrame(const float* frame) {
  double energy = 0;
  for (std::size_t i = 0; i < kFrame; ++i) energy += double(frame[i]) * frame[i];
  const double db = 10.0 * std::log10(energy / kFrame + 1e-12);
  // The floor drops at once to quieter frames and rises slowly (3 dB/s), so it follows
  // changing background noise without climbing onto speech.
  if (!floorSet_ || db < floorDb_) {
    floorDb_ = floorSet_ ? 0.7 * floorDb_ + 0.3 * db : db;
    floorSet_ = true;
  } else {
    floorDb_ += 0.03;
  }
  const bool speech = db > floorDb_ + settings_.thresholdDb && db > settings_.absoluteFloorDb;
  if (settings_.recordFrames) levels_.push_back(static_cast<float>(db));
  recent_.push_back(speech ? 1 : 0);
  if (recent_.size() > 8) recent_.erase(recent_.begin());

  history_.insert(history_.end(), frame, frame + kFrame);
  if (!inSpeech_) {
    // Keep only the padding before a possible onset.
    const std::size_t keep = (settings_.paddingFrames + 8) * kFrame;
    if (history_.size() > keep) {
      const std::size_t drop = history_.size() - keep;
      history_.erase(history_.begin(), history_.begin() + static_cast<long>(drop));
      historyStartFrame_ += drop / kFrame;
    }
    const int votes = static_cast<int>(std::count(recent_.begin(), recent_.end(), 1));
    if (votes >= settings_.onsetFrames) {
      inSpeech_ = true;
      silentRun_ = 0;
      const std::size_t onset = frame_ + 1 >= recent_.size() ? frame_ + 1 - recent_.size() : 0;
      speechStartFrame_ = std::max(historyStartFrame_, onset >= static_cast<std::size_t>(settings_.paddingFrames)
                                                           ? onset - settings_.paddingFrames
                                                           : 0);
      for (std::size_t f = speechStartFrame_; f <= frame_ && f < decisions_.size(); ++f) decisions_[f] = 1;
      if (progress_.started) {
        const std::size_t from = (speechStartFrame_ - historyStartFrame_) * kFrame;
        progress_.started(static_cast<double>(speechStartFrame_) / 100.0,
                          std::span<const float>(history_).subspan(std::min(from, history_.size())));
      }
    }
  } else {
    if (progress_.audio) progress_.audio({frame, kFrame});
    silentRun_ = speech ? 0 : silentRun_ + 1;
    const double length = static_cast<double>(frame_ + 1 - speechStartFrame_) / 100.0;
    if (silentRun_ >= settings_.hangoverFrames) {
      emit(frame_ + 1 - static_cast<std::size_t>(settings_.hangoverFrames) + 10);
    } else if (length >= settings_.maxSeconds) {
      emit(frame_ + 1);
      inSpeech_ = true;  // a monologue continues in the next segment
      speechStartFrame_ = frame_ + 1;
      if (progress_.started) progress_.started(static_cast<double>(speechStartFrame_) / 100.0, {});
    }
  }
  if (settings_.recordFrames) decisions_.push_back(inSpeech_ ? 1 : 0);
  ++frame_;
}

void SpeechSegmenter::emit(std::size_t endFrame) {
  endFrame = std::min(endFrame, frame_ + 1);
  SpeechSegment segment;
  segment.start = static_cast<double>(speechStartFrame_) / 100.0;
  segment.end = static_cast<double>(endFrame) / 100.0;
  const std::size_t from = (speechStartFrame_ - historyStartFrame_) * kFrame;
  const std::size_t to = std::min(history_.size(), (endFrame - historyStartFrame_) * kFrame);
  if (from < to) segment.samples.assign(history_.begin() + static_cast<long>(from), history_.begin() + static_cast<long>(to));
  // Frames after the utterance's end are silence again.
  for (std::size_t f = endFrame; f < decisions_.size(); ++f) decisions_[f] = 0;
  inSpeech_ = false;
  silentRun_ = 0;
  history_.erase(history_.begin(), history_.begin() + static_cast<long>(std::min(history_.size(), to)));
  historyStartFrame_ = endFrame;
  if (segment.end - segment.start >= settings_.minSeconds) {
    sink_(std::move(segment));
    return;
  }
  for (std::size_t f = static_cast<std::size_t>(segment.start * 100); f < endFrame && f < decisions_.size(); ++f)
    decisions_[f] = 0;
  if (progress_.discarded) progress_.discarded();
}

std::vector<std::uint8_t> tightenSpeech(const std::vector<std::uint8_t>& decisions, const std::vector<float>& levels,
                                        int reach, double belowPeakDb) {
  if (reach <= 0) return decisions;
  const std::size_t n = std::min(decisions.size(), levels.size());
  std::vector<std::uint8_t> out(decisions.size(), 0);
  const auto r = static_cast<std::size_t>(reach);
  for (std::size_t t = 0; t < n;) {
    if (!decisions[t]) {
      ++t;
      continue;
    }
    std::size_t end = t;
    float peak = -1e9f;
    while (end < n && decisions[end]) peak = std::max(peak, levels[end++]);
    const auto loud = [&](std::size_t u) { return levels[u] >= peak - belowPeakDb; };
    // Each frame is kept if a loud frame lies within `reach` of it, inside the utterance.
    std::size_t lastLoud = std::numeric_limits<std::size_t>::max();
    for (std::size_t u = t; u < end; ++u) {
      if (loud(u)) lastLoud = u;
      if (lastLoud != std::numeric_limits<std::size_t>::max() && u - lastLoud <= r) out[u] = 1;
    }
    std::size_t nextLoud = std::numeric_limits<std::size_t>::max();
    for (std::size_t u = end; u-- > t;) {
      if (loud(u)) nextLoud = u;
      if (nextLoud != std::numeric_limits<std::size_t>::max() && nextLoud - u <= r) out[u] = 1;
    }
    t = end;
  }
  return out;
}

void SpeechSegmenter::finish() {
  if (inSpeech_) emit(frame_);
}

}  // namespace parley::transcribe
