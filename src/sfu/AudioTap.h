#pragma once
// Where a room's decoded-speech consumers (live transcription) receive its microphones:
// the worker hands each Opus packet over as it forwards it. Implementations must only copy
// and return (no locks, no allocation): the media thread is calling. A room spread over
// several workers calls from each of them, possibly at the same time.
#include <cstddef>
#include <cstdint>
#include <string>

namespace parley::sfu {

class AudioTap {
 public:
  virtual ~AudioTap() = default;
  // `participantId` is the publisher; `rtpTimestamp` counts 48 kHz samples.
  virtual void onOpusPacket(const std::string& participantId, const std::uint8_t* payload, std::size_t length,
                            std::uint32_t rtpTimestamp) = 0;
};

}  // namespace parley::sfu
