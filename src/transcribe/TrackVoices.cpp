#include "transcribe/TrackVoices.h"

#include <limits>

#include "transcribe/Diarizer.h"

namespace parley::transcribe {

int TrackVoices::add(std::span<const float> samples) {
  std::vector<MfccFrame> frames;
  MfccExtractor().feed(samples, frames);
  if (frames.empty()) return last_ == 0 ? 1 : last_;
  int voice = 0;
  double closest = std::numeric_limits<double>::infinity();
  for (std::size_t v = 0; v < voices_.size(); ++v) {
    const double perFrame = deltaBic(voices_[v], frames, 1.0) / static_cast<double>(voices_[v].size() + frames.size());
    if (perFrame < closest) {
      closest = perFrame;
      voice = static_cast<int>(v) + 1;
    }
  }
  // A short utterance says too little to tell a new voice: it joins the closest one.
  const bool enough = frames.size() >= settings_.minFrames;
  if (voice == 0 || (enough && closest > settings_.newVoicePerFrame && voices_.size() < static_cast<std::size_t>(settings_.maxVoices))) {
    voices_.emplace_back();
    voice = static_cast<int>(voices_.size());
  }
  if (enough || voices_[voice - 1].empty()) {
    auto& model = voices_[voice - 1];
    model.insert(model.end(), frames.begin(), frames.end());
    if (model.size() > settings_.keepFrames) model.erase(model.begin(), model.end() - static_cast<long>(settings_.keepFrames));
  }
  last_ = voice;
  return voice;
}

}  // namespace parley::transcribe
