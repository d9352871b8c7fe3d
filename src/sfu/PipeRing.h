#pragma once
// Decrypted RTP on its way from the worker where a track is published to another worker
// that hosts subscribers of the same room. One ring per ordered pair of workers, fixed slots
// allocated once, so piping a packet is one copy and a few atomic operations, never a lock
// or an allocation; and a wake-up flag so that the sender makes a system call only when the
// receiver may be asleep.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <utility>

#include "common/MpscRing.h"

namespace parley::sfu {

struct PipedPacket {
  static constexpr std::size_t kMaxBytes = 1500;
  std::uint32_t pipeId = 0;  // which track (Producer::pipeId) on the sending worker
  std::uint16_t length = 0;
  std::array<std::uint8_t, kMaxBytes> data;
};

class PipeRing {
 public:
  explicit PipeRing(std::size_t slots = 1024) : ring_(slots) {}

  // Sending worker: copies the packet in; false when the ring is full (the packet is lost).
  bool push(std::uint32_t pipeId, const std::uint8_t* data, std::size_t length) {
    if (length > PipedPacket::kMaxBytes) return false;
    return ring_.tryPush([&](PipedPacket& slot) {
      slot.pipeId = pipeId;
      slot.length = static_cast<std::uint16_t>(length);
      std::memcpy(slot.data.data(), data, length);
    });
  }

  // Receiving worker: hands the oldest packet to `use(PipedPacket&)` (writable in place);
  // false when empty.
  template <typename Use>
  bool pop(Use&& use) {
    return ring_.tryPop(std::forward<Use>(use));
  }

  // Wake-up hand-shake: the sender wakes the receiver only when this was false, and the
  // receiver clears it (an exchange, so it sees every packet pushed before) and then reads.
  // While the receiver is busy, senders make no system call at all.
  bool markWakePending() { return !wakePending_.exchange(true, std::memory_order_acq_rel); }
  void clearWakePending() { wakePending_.exchange(false, std::memory_order_acq_rel); }

 private:
  MpscRing<PipedPacket> ring_;
  alignas(64) std::atomic<bool> wakePending_{false};
};

}  // namespace parley::sfu
