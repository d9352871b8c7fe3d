#pragma once
// Notices gaps in an incoming stream and asks the sender again for what is missing: a NACK
// every 40 ms per missing packet, at most 10 times, then gives up (and the caller asks for
// a key frame instead). Sizes are bounded, so a burst cannot grow it without limit.
#include <cstdint>
#include <vector>

namespace parley::sfu {

class NackGenerator {
 public:
  static constexpr std::size_t kMaxMissing = 512;
  static constexpr int kMaxRetries = 10;
  static constexpr std::int64_t kRetryMicros = 40000;

  NackGenerator() { missing_.reserve(kMaxMissing); }

  // Returns true if the gap was too large to track: the caller should request a key frame.
  bool onPacket(std::uint16_t seq, std::int64_t nowMicros);
  // Sequence numbers to NACK now, ascending (appended to `out`). Returns true if some
  // packet ran out of retries: time for a key frame.
  bool collect(std::int64_t nowMicros, std::vector<std::uint16_t>& out);
  std::size_t missingCount() const { return missing_.size(); }

 private:
  struct Missing {
    std::uint16_t seq;
    std::int64_t nextAt;
    int retries;
  };
  bool started_ = false;
  std::uint16_t highest_ = 0;
  std::vector<Missing> missing_;
};

}  // namespace parley::sfu
