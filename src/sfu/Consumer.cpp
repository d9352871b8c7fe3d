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
  if (producer.kind() == MediaKind::Video) sent_ = std::make_unique<std::array<SentRecord, kSentRecords>>();
  // Until a layer is chosen, the first key frame of any layer starts the stream.
  if (!producer.simulcast()) rewriter_.switchTo(0);
}

std::optional<Consumer::Forwarded> Consumer::admit(const rtp::RtpPacket& packet, int layer, bool keyFrame,
                                                   const rtp::Vp8Descriptor* vp8, std::int64_t now) {
  if (paused_) return std::nullopt;
  const VideoStreamRewriter::Packet in{static_cast<std::uint32_t>(layer), packet.sequenceNumber(), packet.timestamp(),
                                       now, keyFrame, vp8};
  if (vp8 && vp8->temporalLayer && rewriter_.current() == in.source && leftOut(*vp8)) {
    rewriter_.drop(in, packet.marker());
    return std::nullopt;
  }
  auto out = rewriter_.forward(in);
  if (!out) return std::nullopt;
  out->sequence = static_cast<std::uint16_t>(out->sequence + seqOffset_);
  if (sent_) {
    (*sent_)[out->sequence % kSentRecords] = {out->sequence, packet.sequenceNumber(), static_cast<std::uint8_t>(layer),
                                              true, out->tl0PicIdx, out->pictureId, out->timestamp};
  }
  return out;
}

bool Consumer::leftOut(const rtp::Vp8Descriptor& vp8) {
  const int tid = *vp8.temporalLayer;
  const bool frameStart = vp8.startOfPartition && vp8.partitionIndex == 0;
  if (frameStart && targetTemporal_ != currentTemporal_) {
    // Down at once; up only where the frame refers to nothing above TID 0, so every frame
    // sent has its references.
    if (targetTemporal_ < currentTemporal_ || tid == 0 || vp8.layerSync) currentTemporal_ = targetTemporal_;
  }
  return tid > currentTemporal_;
}

std::optional<Consumer::SentPacket> Consumer::sentPacket(std::uint16_t outSeq) const {
  if (!sent_) return std::nullopt;
  const SentRecord& record = (*sent_)[outSeq % kSentRecords];
  if (!record.used || record.outSeq != outSeq) return std::nullopt;
  return SentPacket{record.layer, record.inSeq, {record.outSeq, record.timestamp, record.pictureId, record.tl0PicIdx}};
}

int Consumer::chooseFrom(bool everyLayerFlows, std::int64_t now, int current) const {
  if (producer_.kind() != MediaKind::Video) return kNoLayer;
  return producer_.chooseLayer(maxHeight_, current, everyLayerFlows, now);
}

int Consumer::wantedLayer(std::int64_t now) const { return chooseFrom(false, now, targetLayer()); }

int Consumer::displayLayer() const { return chooseFrom(true, 0, kNoLayer); }

int Consumer::sendLayer(int chosen) {
  if (producer_.kind() != MediaKind::Video) return kNoLayer;
  const int target = targetLayer();
  if (chosen == kNoLayer) {
    if (maxHeight_ == 0 && !paused_) {
      paused_ = true;
      rewriter_.pause();
    }
    return kNoLayer;
  }
  const bool resuming = paused_;
  paused_ = false;
  if (resuming || chosen != target) rewriter_.switchTo(static_cast<std::uint32_t>(chosen));
  return rewriter_.switching() ? chosen : kNoLayer;
}

int Consumer::currentLayer() const {
  return rewriter_.current() ? static_cast<int>(*rewriter_.current()) : kNoLayer;
}

int Consumer::targetLayer() const {
  return rewriter_.target() ? static_cast<int>(*rewriter_.target()) : currentLayer();
}

int Consumer::keyFrameLayer() const { return paused_ ? kNoLayer : targetLayer(); }

void Consumer::requestKeyFrame() {
  if (const int layer = keyFrameLayer(); layer != kNoLayer) producer_.requestKeyFrame(layer);
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
