#include "transcribe/VoiceDetector.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

namespace parley::transcribe {

namespace {
constexpr std::size_t kFrame = 160;  // 10 ms at 16 kHz
}

struct VoiceDetector::Engine {
  std::unique_ptr<webrtc::AudioProcessing> processing;
  webrtc::AudioFrame frame;
};

VoiceDetector::VoiceDetector(int aggressiveness) : engine_(std::make_unique<Engine>()) {
  engine_->processing.reset(webrtc::AudioProcessing::Create());
  if (!engine_->processing) throw std::runtime_error("WebRTC audio processing could not be created");
  auto* vad = engine_->processing->voice_detection();
  // WebRTC names its modes by how likely speech is expected to be: the less likely, the
  // more aggressive.
  static constexpr webrtc::VoiceDetection::Likelihood kByAggressiveness[] = {
      webrtc::VoiceDetection::kHighLikelihood, webrtc::VoiceDetection::kModerateLikelihood,
      webrtc::VoiceDetection::kLowLikelihood, webrtc::VoiceDetection::kVeryLowLikelihood};
  vad->Enable(true);
  vad->set_likelihood(kByAggressiveness[std::clamp(aggressiveness, 0, 3)]);
  vad->set_frame_size_ms(10);
  auto& f = engine_->frame;
  f.sample_rate_hz_ = 16000;
  f.num_channels_ = 1;
  f.samples_per_channel_ = kFrame;
}

VoiceDetector::~VoiceDetector() = default;

void VoiceDetector::feed(std::span<const float> samples) {
  pending_.insert(pending_.end(), samples.begin(), samples.end());
  std::size_t offset = 0;
  auto& f = engine_->frame;
  for (; pending_.size() - offset >= kFrame; offset += kFrame) {
    for (std::size_t i = 0; i < kFrame; ++i) {
      const float s = std::clamp(pending_[offset + i] * 32767.0f, -32768.0f, 32767.0f);
      f.data_[i] = static_cast<int16_t>(std::lrint(s));
    }
    f.vad_activity_ = webrtc::AudioFrame::kVadUnknown;
    const bool ok = engine_->processing->ProcessStream(&f) == webrtc::AudioProcessing::kNoError;
    decisions_.push_back(ok && engine_->processing->voice_detection()->stream_has_voice() ? 1 : 0);
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(offset));
}

std::vector<std::uint8_t> keepVoiced(const std::vector<std::uint8_t>& speech, const std::vector<std::uint8_t>& voice,
                                     int reach) {
  std::vector<std::uint8_t> out(speech.size(), 0);
  const std::size_t n = std::min(speech.size(), voice.size());
  const auto r = static_cast<std::size_t>(std::max(reach, 0));
  constexpr auto kNone = std::numeric_limits<std::size_t>::max();
  // Distance to the nearest voiced frame, from both sides.
  std::size_t last = kNone;
  for (std::size_t t = 0; t < n; ++t) {
    if (voice[t]) last = t;
    if (speech[t] && last != kNone && t - last <= r) out[t] = 1;
  }
  std::size_t next = kNone;
  for (std::size_t t = n; t-- > 0;) {
    if (voice[t]) next = t;
    if (speech[t] && next != kNone && next - t <= r) out[t] = 1;
  }
  return out;
}

}  // namespace parley::transcribe
