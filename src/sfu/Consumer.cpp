#include "sfu/Consumer.h"

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

}  // namespace parley::sfu
