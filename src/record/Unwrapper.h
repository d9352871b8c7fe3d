#pragma once
// RTP's wrapping counters (16-bit sequence numbers, 32-bit timestamps) as 64-bit values that
// keep growing: each new value is taken as the one nearest the newest seen, so a late packet
// gets a smaller value, never one a wrap ahead. The first value is placed well above zero,
// so that late packets before it stay positive.
#include <cstdint>
#include <optional>
#include <type_traits>

namespace parley::record {

template <typename Counter>
class Unwrapper {
  static_assert(std::is_unsigned_v<Counter>);
  using Difference = std::make_signed_t<Counter>;

 public:
  std::int64_t unwrap(Counter value) {
    const std::int64_t unwrapped =
        newest_ ? *newest_ + static_cast<Difference>(value - static_cast<Counter>(*newest_))
                : (std::int64_t{1} << (8 * sizeof(Counter) + 8)) | value;
    if (!newest_ || unwrapped > *newest_) newest_ = unwrapped;
    return unwrapped;
  }
  std::optional<std::int64_t> newest() const { return newest_; }

 private:
  std::optional<std::int64_t> newest_;
};

}  // namespace parley::record
