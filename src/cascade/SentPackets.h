#pragma once
// The packets a cascade link sent lately, encrypted as they left, so a NACK from the other
// node is answered with the same bytes. A ring of fixed slots, allocated once: the newest
// kSlots packets (about half a second of a busy room's tracks), found by SSRC and sequence.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace parley::cascade {

class SentPackets {
 public:
  static constexpr std::size_t kSlots = 1024;
  static constexpr std::size_t kMaxPacket = 1500;

  void store(std::uint32_t ssrc, std::uint16_t seq, const std::uint8_t* data, std::size_t length) {
    if (length > kMaxPacket) return;
    Slot& slot = (*slots_)[next_++ % kSlots];
    slot.ssrc = ssrc;
    slot.seq = seq;
    slot.length = static_cast<std::uint16_t>(length);
    std::memcpy(slot.data.data(), data, length);
  }
  // The stored packet, or an empty span. NACKs are rare: a scan of the ring is cheap enough.
  std::span<const std::uint8_t> find(std::uint32_t ssrc, std::uint16_t seq) const {
    for (const Slot& slot : *slots_) {
      if (slot.length && slot.ssrc == ssrc && slot.seq == seq) return {slot.data.data(), slot.length};
    }
    return {};
  }

 private:
  struct Slot {
    std::uint32_t ssrc = 0;
    std::uint16_t seq = 0;
    std::uint16_t length = 0;
    std::array<std::uint8_t, kMaxPacket> data;
  };
  std::unique_ptr<std::array<Slot, kSlots>> slots_ = std::make_unique<std::array<Slot, kSlots>>();
  std::size_t next_ = 0;
};

}  // namespace parley::cascade
