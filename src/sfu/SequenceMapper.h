#pragma once
// Maps a source's wrapping counter (RTP sequence numbers: 16 bits; VP8 PictureIDs: 15 bits)
// onto an outgoing one that has no gaps where packets or frames were left out on purpose,
// and that continues across a change of source. Used per outgoing stream, on its worker
// thread; no allocation, a fixed ring of the last kTrackedDrops numbers left out.
//   restart(in, out)  the next source begins: `in` comes out as `out`
//   forward(in)       the number for `in`, or nothing if it cannot be placed (older than the
//                     restart, or than the drops still remembered)
//   drop(in)          the newest `in` is left out: later numbers close up behind it
// A late packet (older than the newest seen) comes out as it would have in order: drops made
// after it do not shift it.
#include <array>
#include <cstdint>
#include <optional>

namespace parley::sfu {

template <unsigned Bits>
class SequenceMapper {
 public:
  static_assert(Bits >= 2 && Bits <= 16);
  static constexpr std::uint32_t kMask = (1u << Bits) - 1;
  static constexpr std::uint32_t kHalf = 1u << (Bits - 1);
  static constexpr std::size_t kTrackedDrops = 64;

  // a is after b, modulo 2^Bits.
  static bool newer(std::uint32_t a, std::uint32_t b) { return a != b && ((a - b) & kMask) < kHalf; }

  bool started() const { return started_; }
  std::uint32_t lastOut() const { return lastOut_; }

  void restart(std::uint32_t in, std::uint32_t out) {
    in &= kMask;
    offset_ = (out - in) & kMask;
    startIn_ = highestIn_ = in;
    dropCount_ = 0;
    started_ = true;
  }

  std::optional<std::uint32_t> forward(std::uint32_t in) {
    in &= kMask;
    if (!started_) restart(in, in);
    if (newer(startIn_, in)) return std::nullopt;  // from before this source began
    std::uint32_t shift = 0;
    if (newer(in, highestIn_)) {
      highestIn_ = in;
    } else if (in != highestIn_) {
      // Late: the drops made after it were not there when it should have gone out.
      const std::size_t kept = dropCount_ < kTrackedDrops ? dropCount_ : kTrackedDrops;
      if (dropCount_ > kTrackedDrops && !newer(in, drops_[dropCount_ % kTrackedDrops])) return std::nullopt;
      for (std::size_t i = 0; i < kept; ++i) {
        if (newer(drops_[i], in)) ++shift;
      }
    }
    const std::uint32_t out = (in + offset_ + shift) & kMask;
    if (in == highestIn_) lastOut_ = out;
    return out;
  }

  void drop(std::uint32_t in) {
    in &= kMask;
    if (!started_ || !newer(in, highestIn_)) return;  // only the newest can close up
    highestIn_ = in;
    offset_ = (offset_ - 1) & kMask;
    drops_[dropCount_ % kTrackedDrops] = in;
    ++dropCount_;
  }

 private:
  bool started_ = false;
  std::uint32_t offset_ = 0;
  std::uint32_t startIn_ = 0;
  std::uint32_t highestIn_ = 0;
  std::uint32_t lastOut_ = 0;
  std::array<std::uint32_t, kTrackedDrops> drops_{};
  std::size_t dropCount_ = 0;
};

}  // namespace parley::sfu
