#pragma once
// The last packets of one incoming stream, by sequence number, to answer NACKs. A ring of
// fixed slots whose storage grows with the traffic actually received: a chunk of slots is
// allocated the first time a packet lands in it, never again after; until media comes, a
// track costs its slot table (16 bytes a slot), not 1.5 MB. Storing a packet is a copy.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace parley::sfu {

class RetransmissionBuffer {
 public:
  static constexpr std::size_t kSlotBytes = 1500;
  static constexpr std::size_t kChunkSlots = 32;  // 48 KB allocated at a time

  // `slots` must be a power of two and a multiple of kChunkSlots (or smaller than one);
  // `maxAgeMicros` is how long a packet may be resent.
  RetransmissionBuffer(std::size_t slots, std::int64_t maxAgeMicros)
      : mask_(slots - 1), maxAge_(maxAgeMicros), slots_(slots), chunks_((slots + kChunkSlots - 1) / kChunkSlots) {}

  void store(std::uint16_t seq, const std::uint8_t* packet, std::size_t length, std::int64_t nowMicros) {
    if (length > kSlotBytes) return;
    const std::size_t index = seq & mask_;
    auto& chunk = chunks_[index / kChunkSlots];
    if (!chunk) {
      chunk = std::make_unique<Chunk>();
      allocatedBytes_ += sizeof(Chunk);
    }
    Slot& slot = slots_[index];
    slot.seq = seq;
    slot.length = static_cast<std::uint16_t>(length);
    slot.storedAt = nowMicros;
    std::memcpy((*chunk)[index % kChunkSlots].data(), packet, length);
  }

  // The packet, or nullptr if it is gone or too old.
  const std::uint8_t* find(std::uint16_t seq, std::int64_t nowMicros, std::size_t& length) const {
    const std::size_t index = seq & mask_;
    const Slot& slot = slots_[index];
    if (slot.length == 0 || slot.seq != seq || nowMicros - slot.storedAt > maxAge_) return nullptr;
    length = slot.length;
    return (*chunks_[index / kChunkSlots])[index % kChunkSlots].data();
  }

  // Whether the packet is held already: a second copy of it is a duplicate.
  bool holds(std::uint16_t seq, std::int64_t nowMicros) const {
    std::size_t length = 0;
    return find(seq, nowMicros, length) != nullptr;
  }

  // Packet storage allocated so far (for tests and memory accounting).
  std::size_t allocatedBytes() const { return allocatedBytes_; }

 private:
  struct Slot {
    std::uint16_t seq = 0;
    std::uint16_t length = 0;
    std::int64_t storedAt = 0;
  };
  using Chunk = std::array<std::array<std::uint8_t, kSlotBytes>, kChunkSlots>;
  std::size_t mask_;
  std::int64_t maxAge_;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::size_t allocatedBytes_ = 0;
};

}  // namespace parley::sfu
