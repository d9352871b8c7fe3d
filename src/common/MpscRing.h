#pragma once
// A bounded queue of fixed slots for several producer threads and one consumer thread,
// without locks or allocation after construction (D. Vyukov's bounded queue): each slot's
// sequence says whether it is free for position p (== p) or holds position p (== p + 1).
// Slots are filled and read in place, so large packets are copied once.
#include <atomic>
#include <cstddef>
#include <memory>

namespace parley {

template <typename T>
class MpscRing {
 public:
  explicit MpscRing(std::size_t capacity) : capacity_(capacity), slots_(new Slot[capacity]) {
    for (std::size_t i = 0; i < capacity_; ++i) slots_[i].sequence.store(i, std::memory_order_relaxed);
  }
  MpscRing(const MpscRing&) = delete;
  MpscRing& operator=(const MpscRing&) = delete;

  // Any thread: `fill(T&)` writes a free slot. False (and `fill` not called) when full.
  template <typename Fill>
  bool tryPush(Fill&& fill) {
    std::size_t position = head_.load(std::memory_order_relaxed);
    for (;;) {
      Slot& slot = slots_[position % capacity_];
      const std::size_t sequence = slot.sequence.load(std::memory_order_acquire);
      const auto diff = static_cast<std::ptrdiff_t>(sequence - position);
      if (diff == 0) {
        if (head_.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) {
          fill(slot.value);
          slot.sequence.store(position + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        position = head_.load(std::memory_order_relaxed);
      }
    }
  }

  // The consumer thread only: `use(T&)` reads the oldest slot. False when empty.
  template <typename Use>
  bool tryPop(Use&& use) {
    Slot& slot = slots_[tail_ % capacity_];
    if (slot.sequence.load(std::memory_order_acquire) != tail_ + 1) return false;
    use(slot.value);
    slot.sequence.store(tail_ + capacity_, std::memory_order_release);
    ++tail_;
    return true;
  }

 private:
  struct Slot {
    std::atomic<std::size_t> sequence{0};
    T value{};
  };
  const std::size_t capacity_;
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<std::size_t> head_{0};
  alignas(64) std::size_t tail_ = 0;
};

}  // namespace parley
