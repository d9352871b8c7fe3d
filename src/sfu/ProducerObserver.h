#pragma once
// Who else wants a producer's audio as it is forwarded: the active-speaker detector (its
// levels) and live transcription's tap (its Opus payloads). Called on the worker's thread
// for each audio packet of the producers it observes; it must only copy or count and
// return, never block or allocate.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace parley::sfu {

class Producer;

// RFC 6464's client-to-mixer audio level: dBov below full scale (0 loudest, 127 silence)
// and the sender's own voice-activity flag.
struct AudioLevel {
  std::uint8_t dbov = 127;
  bool voice = false;
};

class ProducerObserver {
 public:
  virtual ~ProducerObserver() = default;
  virtual void onAudio(const Producer& producer, std::span<const std::uint8_t> payload, std::uint32_t rtpTimestamp,
                       std::optional<AudioLevel> level) = 0;
};

}  // namespace parley::sfu
