#pragma once
// Who is speaking in a room: an observer of its audio producers (local and piped) that adds
// up their voice levels (RFC 6464) and, asked every half second, names the loudest since the
// last time. Keeps the current speaker through pauses: only someone else speaking changes it.
#include <cstdint>
#include <string>
#include <unordered_map>

#include "sfu/Producer.h"
#include "sfu/ProducerObserver.h"

namespace parley::sfu {

class ActiveSpeaker : public ProducerObserver {
 public:
  void onAudio(const Producer& producer, std::span<const std::uint8_t> payload, std::uint32_t rtpTimestamp,
               std::optional<AudioLevel> level) override;
  // A producer that ends: forget its loudness (it must not name a speaker who left).
  void forget(const Producer& producer) { loudness_.erase(&producer); }
  // The participant to announce, if the speaker changed since the last call; resets the sums.
  std::optional<std::string> update();
  // The participant left: whoever speaks next becomes the speaker.
  void participantLeft(const std::string& participantId) {
    if (current_ == participantId) current_.clear();
  }
  const std::string& current() const { return current_; }

 private:
  std::unordered_map<const Producer*, std::uint32_t> loudness_;
  std::string current_;
};

}  // namespace parley::sfu
