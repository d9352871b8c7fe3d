#include "sfu/ReceiveStatistics.h"

#include <cmath>

#include "rtp/RtpPacket.h"

namespace parley::sfu {

void ReceiveStatistics::onPacket(std::uint16_t seq, std::uint32_t rtpTimestamp, std::int64_t arrivalMicros) {
  if (!started_) {
    started_ = true;
    baseSeq_ = maxSeq_ = seq;
  } else if (rtp::seqNewer(seq, maxSeq_)) {
    if (seq < maxSeq_) cycles_ += 65536;
    maxSeq_ = seq;
  }
  ++received_;
  // Jitter in RTP clock units (§A.8), from the transit time of consecutive packets.
  const std::int64_t arrival = arrivalMicros * clockRate_ / 1000000;
  const std::int64_t transit = arrival - static_cast<std::int64_t>(rtpTimestamp);
  if (haveTransit_) {
    std::int64_t d = transit - lastTransit_;
    // Timestamps wrap at 2^32: take the short way round.
    d = static_cast<std::int32_t>(static_cast<std::uint32_t>(d));
    jitter_ += (std::fabs(static_cast<double>(d)) - jitter_) / 16.0;
  }
  lastTransit_ = transit;
  haveTransit_ = true;
}

void ReceiveStatistics::onSenderReport(const rtp::SenderInfo& info, std::int64_t arrivalMicros) {
  lastSr_ = info;
  srArrival_ = arrivalMicros;
}

rtp::ReportBlock ReceiveStatistics::makeReportBlock(std::uint32_t ssrc, std::int64_t nowMicros) {
  rtp::ReportBlock block;
  block.ssrc = ssrc;
  const std::uint64_t extendedMax = cycles_ + maxSeq_;
  const std::uint64_t expected = started_ ? extendedMax - baseSeq_ + 1 : 0;
  const std::int64_t lost = static_cast<std::int64_t>(expected) - static_cast<std::int64_t>(received_);
  block.cumulativeLost = static_cast<std::int32_t>(std::max<std::int64_t>(-0x800000, std::min<std::int64_t>(0x7FFFFF, lost)));
  const std::uint64_t expectedInterval = expected - expectedPrior_;
  const std::uint64_t receivedInterval = received_ - receivedPrior_;
  expectedPrior_ = expected;
  receivedPrior_ = received_;
  const std::int64_t lostInterval = static_cast<std::int64_t>(expectedInterval) - static_cast<std::int64_t>(receivedInterval);
  block.fractionLost = (expectedInterval == 0 || lostInterval <= 0)
                           ? 0
                           : static_cast<std::uint8_t>((lostInterval << 8) / static_cast<std::int64_t>(expectedInterval));
  block.highestSeq = static_cast<std::uint32_t>(extendedMax);
  block.jitter = static_cast<std::uint32_t>(jitter_);
  if (srArrival_ != 0) {
    block.lastSr = rtp::ntpMiddle32(lastSr_.ntp);
    // Delay since the last SR, in 1/65536 s.
    block.delaySinceLastSr = static_cast<std::uint32_t>((nowMicros - srArrival_) * 65536 / 1000000);
  }
  return block;
}

}  // namespace parley::sfu
