#pragma once
// Hands a room's microphones to its AudioTap (live transcription), as an observer of the
// microphone producers published on this worker (piped copies are not tapped again: their
// origin worker taps them). The tap is shared with the transcription service, which may
// drop it at any time; this holds it while it is set.
#include <memory>

#include "sfu/AudioTap.h"
#include "sfu/Producer.h"
#include "sfu/ProducerObserver.h"

namespace parley::sfu {

class AudioTapForwarder : public ProducerObserver {
 public:
  void setTap(std::shared_ptr<AudioTap> tap) { tap_ = std::move(tap); }
  void onAudio(const Producer& producer, std::span<const std::uint8_t> payload, std::uint32_t rtpTimestamp,
               std::optional<AudioLevel>) override {
    if (tap_ && producer.source() == TrackSource::Microphone) {
      tap_->onOpusPacket(producer.ownerId(), payload.data(), payload.size(), rtpTimestamp);
    }
  }

 private:
  std::shared_ptr<AudioTap> tap_;
};

}  // namespace parley::sfu
