#include "sfu/NackGenerator.h"

#include <algorithm>

#include "rtp/RtpPacket.h"

namespace parley::sfu {

bool NackGenerator::onPacket(std::uint16_t seq, std::int64_t now) {
  if (!started_) {
    started_ = true;
    highest_ = seq;
    return false;
  }
  if (rtp::seqNewer(seq, highest_)) {
    const std::uint16_t gap = static_cast<std::uint16_t>(seq - highest_ - 1);
    if (gap > kMaxMissing || missing_.size() + gap > kMaxMissing) {
      missing_.clear();
      highest_ = seq;
      return true;
    }
    for (std::uint16_t s = static_cast<std::uint16_t>(highest_ + 1); s != seq; ++s) {
      // Reordering is common: wait one interval before the first NACK.
      missing_.push_back({s, now + kRetryMicros / 2, 0});
    }
    highest_ = seq;
    return false;
  }
  // Late or retransmitted: no longer missing.
  const auto it = std::find_if(missing_.begin(), missing_.end(), [&](const Missing& m) { return m.seq == seq; });
  if (it != missing_.end()) missing_.erase(it);
  return false;
}

bool NackGenerator::collect(std::int64_t now, std::vector<std::uint16_t>& out) {
  bool gaveUp = false;
  for (auto& m : missing_) {
    if (m.nextAt > now) continue;
    if (m.retries >= kMaxRetries) {
      gaveUp = true;
      m.retries = -1;  // marked for removal
      continue;
    }
    out.push_back(m.seq);
    m.retries++;
    m.nextAt = now + kRetryMicros;
  }
  std::erase_if(missing_, [](const Missing& m) { return m.retries < 0; });
  return gaveUp;
}

}  // namespace parley::sfu
