#pragma once
// WebRTC's voice activity detector (Debian's libwebrtc-audio-processing), one decision per
// 10 ms of 16 kHz audio. Unlike the segmenter's energy test it looks at the spectrum (a
// Gaussian mixture over six sub-bands), so rustling, breathing and distant noise as loud
// as quiet speech are mostly not voice. The diarizer counts only speech both agree on.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace parley::transcribe {

class VoiceDetector {
 public:
  // `aggressiveness` 0 (keeps most, WebRTC's "high likelihood") to 3 (keeps least).
  explicit VoiceDetector(int aggressiveness = 3);
  ~VoiceDetector();
  VoiceDetector(const VoiceDetector&) = delete;
  VoiceDetector& operator=(const VoiceDetector&) = delete;

  void feed(std::span<const float> samples);
  // One per complete 10 ms frame fed so far: 1 where WebRTC hears voice.
  const std::vector<std::uint8_t>& decisions() const { return decisions_; }

 private:
  struct Engine;
  std::unique_ptr<Engine> engine_;
  std::vector<float> pending_;
  std::vector<std::uint8_t> decisions_;
};

// `speech` kept only where a `voice` frame lies within `reach` frames: the energy detector's
// speech, less what the voice detector does not hear as voice nearby.
std::vector<std::uint8_t> keepVoiced(const std::vector<std::uint8_t>& speech, const std::vector<std::uint8_t>& voice,
                                     int reach);

}  // namespace parley::transcribe
