#include "sfu/Consumer.h"

#include <algorithm>

#include "common/Random.h"

namespace parley::sfu {

Consumer::Consumer(Producer& producer, MediaParticipant* subscriber, std::string mid, std::uint32_t ssrc,
                   std::uint32_t rtxSsrc)
    : producer_(producer), subscriber_(subscriber), mid_(std::move(mid)), ssrc_(ssrc), rtxSsrc_(rtxSsrc) {
  std::uint16_t start = 0;
  secureRandomBytes(&start, sizeof start);
  // A random first sequence number, as RFC 3550 asks of every sender.
  seqOffset_ = start;
  rtxSeq_ = static_cast<std::uint16_t>(start ^ 0x5A5A);
}

bool Consumer::admit(const rtp::RtpPacket& packet, bool keyFrame, std::uint16_t& outSeq) {
  if (!started_) {
    if (!keyFrame) return false;
    started_ = true;
    seqOffset_ = static_cast<std::uint16_t>(seqOffset_ - packet.sequenceNumber());
    firstInSeq_ = packet.sequenceNumber();
  } else if (!rtp::seqNewer(packet.sequenceNumber(), firstInSeq_) && packet.sequenceNumber() != firstInSeq_) {
    return false;  // older than where this consumer started
  }
  outSeq = static_cast<std::uint16_t>(packet.sequenceNumber() + seqOffset_);
  return true;
}

bool Consumer::mapNackedSequence(std::uint16_t outSeq, std::uint16_t& inSeq) const {
  if (!started_) return false;
  inSeq = static_cast<std::uint16_t>(outSeq - seqOffset_);
  return inSeq == firstInSeq_ || rtp::seqNewer(inSeq, firstInSeq_);
}

void Consumer::onSent(std::size_t payloadBytes, std::uint32_t timestamp) {
  ++packetsSent_;
  octetsSent_ += static_cast<std::uint32_t>(payloadBytes);
  lastTimestamp_ = timestamp;
  // What the stream carries earns what its repair may cost.
  retransmitBudget_ = std::min(kMaxRetransmitBurst, retransmitBudget_ + kRetransmitShare * payloadBytes);
}

bool Consumer::mayResend(std::uint16_t outSeq, std::size_t bytes, std::int64_t now) {
  Resent& entry = resent_[outSeq % resent_.size()];
  const auto nowMillis = static_cast<std::uint32_t>(now / 1000);
  if (entry.used && entry.seq == outSeq && nowMillis - entry.atMillis < static_cast<std::uint32_t>(rtt_ / 1000)) {
    return false;  // already on its way: the answer to this NACK cannot have arrived yet
  }
  if (retransmitBudget_ < static_cast<double>(bytes)) return false;
  retransmitBudget_ -= static_cast<double>(bytes);
  entry = {outSeq, true, nowMillis};
  return true;
}

void Consumer::onSenderReportSent(std::uint64_t ntp, std::int64_t now) {
  reports_[nextReport_++ % reports_.size()] = {rtp::ntpMiddle32(ntp), now};
}

void Consumer::onReceiverReport(const rtp::ReportBlock& block, std::int64_t now) {
  if (block.lastSr == 0) return;
  for (const auto& report : reports_) {
    if (report.at == 0 || report.compactNtp != block.lastSr) continue;
    // RFC 3550 §6.4.1: the time since our report, less the time it waited at the peer.
    const std::int64_t delay = static_cast<std::int64_t>(block.delaySinceLastSr) * 1000000 / 65536;
    const std::int64_t sample = now - report.at - delay;
    if (sample <= 0 || sample > 5000000) return;
    rtt_ = std::clamp<std::int64_t>(rttMeasured_ ? (7 * rtt_ + sample) / 8 : sample, 1000, 2000000);
    rttMeasured_ = true;
    return;
  }
}

}  // namespace parley::sfu
