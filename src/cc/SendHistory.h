#pragma once
// What we sent to one receiver, by transport-wide sequence number: when and how many bytes,
// so its feedback (which names only sequence numbers and arrival times) becomes
// PacketResults. A fixed ring: the last kSize packets, no allocation.
#include <array>
#include <cstdint>

namespace parley::cc {

class SendHistory {
 public:
  static constexpr std::size_t kSize = 4096;  // seconds of video at a few Mbit/s

  struct Entry {
    std::uint16_t sequence = 0;
    bool used = false;
    std::int8_t probeCluster = -1;  // the probe it belongs to, or -1
    std::uint32_t bytes = 0;
    std::int64_t sendMicros = 0;
  };

  void onSent(std::uint16_t sequence, std::int64_t sendMicros, std::uint32_t bytes, std::int8_t probeCluster = -1) {
    entries_[sequence % kSize] = {sequence, true, probeCluster, bytes, sendMicros};
  }
  // The packet sent with `sequence`, or null if it is not (or no longer) known.
  const Entry* find(std::uint16_t sequence) const {
    const Entry& entry = entries_[sequence % kSize];
    return entry.used && entry.sequence == sequence ? &entry : nullptr;
  }

 private:
  std::array<Entry, kSize> entries_{};
};

}  // namespace parley::cc
