#pragma once
// A bottleneck link in front of a synthetic subscriber, as `tc ... tbf` makes one: packets
// leave at `bitsPerSecond` through a queue of at most `queueMicros`, and what finds the
// queue full is dropped. Nothing is held back: each packet is handled at once and given the
// time it would have arrived at, which its subscriber's transport-wide feedback reports (so
// the server's estimator sees the queue build, as it would on a real link) and its frame
// clock uses. No allocation; one subscriber's thread.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace parley::bench {

class DownlinkBottleneck {
 public:
  explicit DownlinkBottleneck(double bitsPerSecond, std::int64_t queueMicros = 200'000)
      : microsPerByte_(8e6 / bitsPerSecond), queueMicros_(queueMicros) {}

  // When a packet of `bytes` that reaches the link at `nowMicros` comes out of it; nullopt
  // if the queue is full and it is dropped.
  std::optional<std::int64_t> pass(std::int64_t nowMicros, std::size_t bytes) {
    const std::int64_t start = std::max(nowMicros, linkFreeAt_);
    if (start - nowMicros > queueMicros_) return std::nullopt;
    linkFreeAt_ = start + static_cast<std::int64_t>(static_cast<double>(bytes) * microsPerByte_);
    return linkFreeAt_;
  }

 private:
  double microsPerByte_;
  std::int64_t queueMicros_;
  std::int64_t linkFreeAt_ = 0;
};

}  // namespace parley::bench
