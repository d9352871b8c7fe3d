#include "sfu/TwccRecorder.h"

#include <algorithm>

namespace parley::sfu {

void TwccRecorder::onPacket(std::uint16_t seq, std::int64_t arrivalMicros) {
  if (!started_) {
    started_ = true;
    lastRaw_ = seq;
    nextSeq_ = seq;
  }
  // Unwrap against the last sequence number seen.
  const std::int16_t delta = static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - lastRaw_));
  const std::int64_t unwrapped = (cycles_ + lastRaw_) + delta;
  if (delta > 0) {
    if (seq < lastRaw_) cycles_ += 65536;
    lastRaw_ = seq;
  }
  if (unwrapped < nextSeq_) return;  // already reported
  if (arrivals_.size() >= 4096) arrivals_.erase(arrivals_.begin(), arrivals_.begin() + 1024);
  arrivals_.emplace_back(unwrapped, arrivalMicros);
  highest_ = std::max(highest_, unwrapped);
}

std::size_t TwccRecorder::writeFeedback(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc,
                                        std::uint32_t mediaSsrc) {
  if (arrivals_.empty()) return 0;
  std::sort(arrivals_.begin(), arrivals_.end());
  // Start at the first received packet; report at most what fits (about 500 packets).
  const std::int64_t first = std::max(nextSeq_, arrivals_.front().first);
  const std::int64_t last = std::min(highest_, first + 500);
  scratch_.clear();
  std::size_t k = 0;
  for (std::int64_t s = first; s <= last; ++s) {
    while (k < arrivals_.size() && arrivals_[k].first < s) ++k;
    if (k < arrivals_.size() && arrivals_[k].first == s) {
      scratch_.push_back({static_cast<std::uint16_t>(s), arrivals_[k].second});
    } else {
      scratch_.push_back({static_cast<std::uint16_t>(s), std::nullopt});
    }
  }
  const std::size_t written =
      rtp::writeTransportFeedback(out, capacity, senderSsrc, mediaSsrc, feedbackCount_, scratch_);
  if (written == 0) return 0;
  feedbackCount_++;
  nextSeq_ = last + 1;
  std::erase_if(arrivals_, [&](const auto& a) { return a.first <= last; });
  return written;
}

}  // namespace parley::sfu
