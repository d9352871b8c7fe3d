#pragma once
// Decrypted RTP on its way from the worker where a track is published to another worker
// that hosts subscribers of the same room. One ring per ordered pair of workers: a single
// producer thread and a single consumer thread, fixed slots allocated once, so piping a
// packet is one copy and two atomic operations, never a lock or an allocation.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

namespace parley::sfu {

struct PipedPacket {
  static constexpr std::size_t kMaxBytes = 1500;
  std::uint32_t pipeId = 0;  // which track (Producer::pipeId) on the sending worker
  std::uint16_t length = 0;
  std::array<std::uint8_t, kMaxBytes> data;
};

class PipeRing {
 public:
  // `slots` must be a power of two.
  explicit PipeRing(std::size_t slots = 1024) : mask_(slots - 1), slots_(std::make_unique<PipedPacket[]>(slots)) {}
  PipeRing(const PipeRing&) = delete;
  PipeRing& operator=(const PipeRing&) = delete;

  // Sending worker: copies the packet in; false when the ring is full (the packet is lost).
  bool push(std::uint32_t pipeId, const std::uint8_t* data, std::size_t length) {
    if (length > PipedPacket::kMaxBytes) return false;
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) > mask_) return false;
    PipedPacket& slot = slots_[head & mask_];
    slot.pipeId = pipeId;
    slot.length = static_cast<std::uint16_t>(length);
    std::memcpy(slot.data.data(), data, length);
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

  // Receiving worker: the oldest packet (null when empty), valid and writable until pop().
  PipedPacket* front() {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail == head_.load(std::memory_order_acquire)) return nullptr;
    return &slots_[tail & mask_];
  }
  void pop() { tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

  // Wake-up hand-shake: the sender wakes the receiver only when this was false, and the
  // receiver clears it (an exchange, so it sees every packet pushed before) and then reads.
  // While the receiver is busy, senders make no system call at all.
  bool markWakePending() { return !wakePending_.exchange(true, std::memory_order_acq_rel); }
  void clearWakePending() { wakePending_.exchange(false, std::memory_order_acq_rel); }

 private:
  const std::size_t mask_;
  std::unique_ptr<PipedPacket[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::atomic<std::size_t> tail_{0};
  alignas(64) std::atomic<bool> wakePending_{false};
};

}  // namespace parley::sfu
