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
    scratchSeqs_.clear();
    if (producer->nacks().collect(now, scratchSeqs_)) producer->requestKeyFrame();
    if (!scratchSeqs_.empty()) {
      std::uint8_t* out = p.publisher->sendBuffer();
      const std::size_t length = rtp::writeNack(out, p.rtcpSsrc, producer->ssrc(), scratchSeqs_);
      if (length && p.publisher->sendRtcp(out, length, net::kMaxDatagram)) {
        counters_.nacksSent.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (producer->takeKeyFrameRequest(now)) {
      std::uint8_t* out = p.publisher->sendBuffer();
      const std::size_t length = rtp::writePli(out, p.rtcpSsrc, producer->ssrc());
      if (p.publisher->sendRtcp(out, length, net::kMaxDatagram)) {
        counters_.keyFrameRequests.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
}

void PublisherFeedback::sendTransportFeedback(MediaParticipant& p) {
  if (!p.extensions.transportCc) return;
  std::uint8_t* out = p.publisher->sendBuffer();
  const std::size_t length =
      p.twcc.writeFeedback(out, rtp::kMaxTransportFeedbackBytes, p.rtcpSsrc, p.producers.front()->ssrc());
  if (length && p.publisher->sendRtcp(out, length, net::kMaxDatagram)) {
    counters_.twccFeedbackSent.fetch_add(1, std::memory_order_relaxed);
  }
}

void PublisherFeedback::sendReceiverReport(MediaParticipant& p, std::int64_t now) {
  scratchBlocks_.clear();
  for (auto& producer : p.producers) {
    if (producer->statistics().packetsReceived() == 0 || scratchBlocks_.size() == 31) continue;
    scratchBlocks_.push_back(producer->statistics().makeReportBlock(producer->ssrc(), now));
  }
  if (scratchBlocks_.empty()) return;
  std::uint8_t* out = p.publisher->sendBuffer();
  const std::size_t length = rtp::writeReceiverReport(out, p.rtcpSsrc, scratchBlocks_);
  p.publisher->sendRtcp(out, length, net::kMaxDatagram);
}

}  // namespace parley::sfu
