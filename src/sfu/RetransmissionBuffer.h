#pragma once
// The last packets of one incoming stream, by sequence number, to answer NACKs. A ring of
// fixed slots allocated once: storing a packet is a copy, never an allocation.
#include <cstdint>
#include <cstring>
#include <vector>

namespace parley::sfu {

class RetransmissionBuffer {
 public:
  static constexpr std::size_t kSlotBytes = 1500;

  // `slots` must be a power of two; `maxAgeMicros` is how long a packet may be resent.
  RetransmissionBuffer(std::size_t slots, std::int64_t maxAgeMicros)
      : slots_(slots), mask_(slots - 1), maxAge_(maxAgeMicros), data_(slots * kSlotBytes) {}

  void store(std::uint16_t seq, const std::uint8_t* packet, std::size_t length, std::int64_t nowMicros) {
    if (length > kSlotBytes) return;
    Slot& slot = slots_[seq & mask_];
    slot.seq = seq;
    slot.length = static_cast<std::uint16_t>(length);
    slot.storedAt = nowMicros;
    std::memcpy(&data_[(seq & mask_) * kSlotBytes], packet, length);
  }

  // The packet, or nullptr if it is gone or too old.
  const std::uint8_t* find(std::uint16_t seq, std::int64_t nowMicros, std::size_t& length) const {
    const Slot& slot = slots_[seq & mask_];
    if (slot.length == 0 || slot.seq != seq || nowMicros - slot.storedAt > maxAge_) return nullptr;
    length = slot.length;
    return &data_[(seq & mask_) * kSlotBytes];
  }

 private:
  struct Slot {
    std::uint16_t seq = 0;
    std::uint16_t length = 0;
    std::int64_t storedAt = 0;
  };
  std::vector<Slot> slots_;
  std::size_t mask_;
  std::int64_t maxAge_;
  std::vector<std::uint8_t> data_;
};

}  // namespace parley::sfu
