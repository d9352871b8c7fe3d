#pragma once
// Rejects packets seen before or too old (RFC 3711 §3.3.2), over the last 128 indices.
#include <cstdint>

namespace parley::srtp {

class ReplayWindow {
 public:
  static constexpr std::uint64_t kSize = 128;

  // True if `index` is new and inside the window. Does not record it: call accept()
  // once the packet has authenticated, so forged packets cannot poison the window.
  bool check(std::uint64_t index) const {
    if (!started_ || index > highest_) return true;
    const std::uint64_t delta = highest_ - index;
    if (delta >= kSize) return false;
    return !bit(delta);
  }

  void accept(std::uint64_t index) {
    if (!started_) {
      started_ = true;
      highest_ = index;
      bits_[0] = 1;
      bits_[1] = 0;
      return;
    }
    if (index > highest_) {
      shift(index - highest_);
      highest_ = index;
      bits_[0] |= 1;
    } else {
      setBit(highest_ - index);
    }
  }

  std::uint64_t highest() const { return highest_; }
  bool started() const { return started_; }

 private:
  bool bit(std::uint64_t n) const { return (bits_[n / 64] >> (n % 64)) & 1; }
  void setBit(std::uint64_t n) { bits_[n / 64] |= std::uint64_t{1} << (n % 64); }
  void shift(std::uint64_t n) {
    if (n >= kSize) {
      bits_[0] = bits_[1] = 0;
    } else if (n >= 64) {
      bits_[1] = bits_[0] << (n - 64);
      bits_[0] = 0;
    } else if (n > 0) {
      bits_[1] = (bits_[1] << n) | (bits_[0] >> (64 - n));
      bits_[0] <<= n;
    }
  }

  bool started_ = false;
  std::uint64_t highest_ = 0;
  std::uint64_t bits_[2] = {0, 0};  // bit n: highest_ - n was seen
};

}  // namespace parley::srtp
