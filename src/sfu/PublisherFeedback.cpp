#include "sfu/PublisherFeedback.h"

#include "net/UdpSocket.h"

namespace parley::sfu {

namespace {
constexpr std::int64_t kNackIntervalMicros = 40000;
constexpr std::int64_t kFeedbackIntervalMicros = 100000;
constexpr std::int64_t kReportIntervalMicros = 1000000;
}  // namespace

void PublisherFeedback::tick(std::vector<std::unique_ptr<MediaParticipant>>& participants, std::int64_t now) {
  const bool nack = now - lastNack_ >= kNackIntervalMicros;
  const bool feedback = now - lastFeedback_ >= kFeedbackIntervalMicros;
  const bool report = now - lastReport_ >= kReportIntervalMicros;
  if (nack) lastNack_ = now;
  if (feedback) lastFeedback_ = now;
  if (report) lastReport_ = now;
  for (auto& p : participants) {
    if (!p->publisher || !p->publisher->connected() || p->producers.empty()) continue;
    if (nack) requestRetransmissions(*p, now);
    if (feedback) sendTransportFeedback(*p);
    if (report) sendReceiverReport(*p, now);
  }
}

void PublisherFeedback::requestRetransmissions(MediaParticipant& p, std::int64_t now) {
  for (auto& producer : p.producers) {
    for (std::size_t i = 0; i < producer->layerCount(); ++i) {
      ProducerLayer& layer = producer->layer(i);
      if (layer.ssrc == 0) continue;  // a rid-based layer not seen yet
      scratchSeqs_.clear();
      if (layer.nacks.collect(now, scratchSeqs_)) layer.keyFrameWanted = true;
      if (!scratchSeqs_.empty()) {
        std::uint8_t* out = p.publisher->sendBuffer();
        const std::size_t length = rtp::writeNack(out, p.rtcpSsrc, layer.ssrc, scratchSeqs_);
        if (length && p.publisher->sendRtcp(out, length, net::kMaxDatagram)) {
          counters_.nacksSent.fetch_add(1, std::memory_order_relaxed);
        }
      }
      if (producer->takeKeyFrameRequest(static_cast<int>(i), now)) {
        std::uint8_t* out = p.publisher->sendBuffer();
        const std::size_t length = rtp::writePli(out, p.rtcpSsrc, layer.ssrc);
        if (p.publisher->sendRtcp(out, length, net::kMaxDatagram)) {
          counters_.keyFrameRequests.fetch_add(1, std::memory_order_relaxed);
        }
      }
    }
  }
}

void PublisherFeedback::sendTransportFeedback(MediaParticipant& p) {
  if (!p.extensions.transportCc) return;
  // The media SSRC of transport-wide feedback is informative only: any of the publisher's.
  std::uint32_t mediaSsrc = 0;
  for (auto& producer : p.producers) {
    for (std::size_t i = 0; i < producer->layerCount() && !mediaSsrc; ++i) mediaSsrc = producer->layer(i).ssrc;
  }
  std::uint8_t* out = p.publisher->sendBuffer();
  const std::size_t length = p.twcc.writeFeedback(out, rtp::kMaxTransportFeedbackBytes, p.rtcpSsrc, mediaSsrc);
  if (length && p.publisher->sendRtcp(out, length, net::kMaxDatagram)) {
    counters_.twccFeedbackSent.fetch_add(1, std::memory_order_relaxed);
  }
}

void PublisherFeedback::sendReceiverReport(MediaParticipant& p, std::int64_t now) {
  scratchBlocks_.clear();
  for (auto& producer : p.producers) {
    for (std::size_t i = 0; i < producer->layerCount(); ++i) {
      ProducerLayer& layer = producer->layer(i);
      if (layer.stats.packetsReceived() == 0 || scratchBlocks_.size() == 31) continue;
      scratchBlocks_.push_back(layer.stats.makeReportBlock(layer.ssrc, now));
    }
  }
  if (scratchBlocks_.empty()) return;
  std::uint8_t* out = p.publisher->sendBuffer();
  const std::size_t length = rtp::writeReceiverReport(out, p.rtcpSsrc, scratchBlocks_);
  p.publisher->sendRtcp(out, length, net::kMaxDatagram);
}

}  // namespace parley::sfu
