#include "sfu/SubscriberFeedback.h"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "net/UdpSocket.h"
#include "rtp/RtpPacket.h"
#include "rtp/TransportFeedback.h"
#include "rtp/Vp8Descriptor.h"
#include "srtp/SrtpSession.h"

namespace parley::sfu {

void SubscriberFeedback::onRtcp(MediaParticipant& to, std::uint8_t* data, std::size_t length, std::int64_t now) {
  counters_.rtcpReceived.fetch_add(1, std::memory_order_relaxed);
  const bool ok = rtp::forEachRtcpPart({data, length}, [&](const rtp::RtcpPart& part) {
    std::uint32_t sender = 0, media = 0;
    if (part.type == rtp::kRtcpPsfb && part.count == 1 && rtp::readFeedbackSsrcs(part, sender, media)) {
      counters_.plisReceived.fetch_add(1, std::memory_order_relaxed);
      if (Consumer* consumer = to.consumerBySsrc(media)) consumer->requestKeyFrame();
    } else if (part.type == rtp::kRtcpPsfb && part.count == 4) {
      std::vector<std::uint32_t> ssrcs;
      rtp::readFir(part, ssrcs);
      counters_.plisReceived.fetch_add(1, std::memory_order_relaxed);
      for (auto ssrc : ssrcs) {
        if (Consumer* consumer = to.consumerBySsrc(ssrc)) consumer->requestKeyFrame();
      }
    } else if (part.type == rtp::kRtcpRtpfb && part.count == 1) {
      onNack(to, part, now);
    } else if (part.type == rtp::kRtcpRtpfb && part.count == 15) {
      onTransportFeedback(to, part, now);
    } else if (part.type == rtp::kRtcpRr) {
      scratchBlocks_.clear();
      if (!rtp::readReceiverReport(part, sender, scratchBlocks_)) return;
      for (const auto& block : scratchBlocks_) {
        if (Consumer* consumer = to.consumerBySsrc(block.ssrc)) consumer->onReceiverReport(block, now);
      }
    }
  });
  if (!ok) counters_.malformedRtcp.fetch_add(1, std::memory_order_relaxed);
}

void SubscriberFeedback::onTransportFeedback(MediaParticipant& to, const rtp::RtcpPart& part, std::int64_t now) {
  const auto feedback = rtp::readTransportFeedback(part.bytes);
  if (!feedback) {
    counters_.malformedRtcp.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // In the order we sent them; packets we no longer know (too old) are left out.
  scratchResults_.clear();
  to.downlinkFeedback = true;
  for (const auto& arrival : feedback->packets) {
    const cc::SendHistory::Entry* sent = to.sent.find(arrival.sequence);
    if (!sent) continue;
    const std::int64_t arrivalMicros = arrival.arrivalMicros.value_or(-1);
    if (sent->probeCluster < 0) {
      scratchResults_.push_back({sent->sendMicros, arrivalMicros, sent->bytes});
      continue;
    }
    // A probe's burst says how much the path carries; it is not a sign of queueing.
    if (const auto probed = to.probe.onReported(sent->probeCluster, sent->bytes, arrivalMicros)) {
      const double before = to.downlink.estimateBps();
      to.downlink.onProbeResult(*probed);
      to.probe.found(*probed, before);
      spdlog::debug("probe to {}: the path carried {:.0f} kbit/s (estimate {:.0f} -> {:.0f} kbit/s)", to.id(),
                    *probed / 1000, before / 1000, to.downlink.estimateBps() / 1000);
      counters_.probes.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (scratchResults_.empty()) return;
  const double before = to.downlink.estimateBps();
  to.downlink.onFeedback(scratchResults_, now);
  if (to.downlink.estimateBps() < 0.8 * before) {
    spdlog::debug("{}'s downlink estimate {:.0f} -> {:.0f} kbit/s (received {:.0f} kbit/s, {:.0f}% of {} packets lost, {})",
                  to.id(), before / 1000, to.downlink.estimateBps() / 1000, to.downlink.receivedBps() / 1000,
                  100 * to.downlink.lossFraction(), scratchResults_.size(),
                  to.downlink.usage() == cc::BandwidthUsage::Overusing ? "queueing" : "no queueing");
  }
}

void SubscriberFeedback::onNack(MediaParticipant& to, const rtp::RtcpPart& part, std::int64_t now) {
  std::uint32_t sender = 0, media = 0;
  if (!rtp::readFeedbackSsrcs(part, sender, media) || !to.subscriber) return;
  Consumer* consumer = to.consumerBySsrc(media);
  scratchSeqs_.clear();
  if (!consumer || !rtp::readNack(part, scratchSeqs_)) return;
  counters_.nacksReceived.fetch_add(1, std::memory_order_relaxed);
  // A packet named twice in one NACK is one request.
  std::sort(scratchSeqs_.begin(), scratchSeqs_.end());
  scratchSeqs_.erase(std::unique(scratchSeqs_.begin(), scratchSeqs_.end()), scratchSeqs_.end());
  const std::size_t count = std::min(scratchSeqs_.size(), kMaxNackedPerPacket);
  for (std::size_t i = 0; i < count; ++i) retransmit(*consumer, *to.subscriber, scratchSeqs_[i], now);
}

void SubscriberFeedback::retransmit(Consumer& consumer, webrtc::Transport& transport, std::uint16_t outSeq,
                                    std::int64_t now) {
  const auto sent = consumer.sentPacket(outSeq);
  if (!sent) return;
  std::size_t storedLength = 0;
  const std::uint8_t* stored =
      consumer.producer().layer(static_cast<std::size_t>(sent->layer)).buffer.find(sent->inSequence, now, storedLength);
  if (!stored) return;
  if (!consumer.mayResend(outSeq, storedLength, now)) {
    counters_.retransmissionsRefused.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::uint8_t copy[RetransmissionBuffer::kSlotBytes];
  std::memcpy(copy, stored, storedLength);
  rtp::RtpPacket packet;
  if (!packet.parse(copy, storedLength)) return;
  const ForwardedCodec& codec = consumer.producer().codec();
  std::uint8_t* out = transport.sendBuffer();
  std::size_t length = 12;
  const auto payload = packet.payload();
  out[0] = 0x80;
  out[1] = static_cast<std::uint8_t>(packet.marker() ? 0x80 : 0);
  rtp::write32(out + 4, sent->out.timestamp);
  if (consumer.rtxSsrc() && codec.rtxPayloadType) {
    // RFC 4588: the original sequence number, then the original payload.
    out[1] |= codec.rtxPayloadType;
    rtp::write16(out + 2, consumer.nextRtxSequence());
    rtp::write32(out + 8, consumer.rtxSsrc());
    rtp::write16(out + 12, outSeq);
    length += 2;
  } else {
    out[1] |= codec.payloadType;
    rtp::write16(out + 2, outSeq);
    rtp::write32(out + 8, consumer.ssrc());
  }
  if (length + payload.size() + srtp::kMaxSrtpTrailer > net::kMaxDatagram) return;
  std::memcpy(out + length, payload.data(), payload.size());
  // As it went out the first time: the stream's PictureIDs, not the layer's.
  if (codec.name == "VP8") {
    if (const auto vp8 = rtp::parseVp8Descriptor(payload)) {
      rtp::rewriteVp8Descriptor({out + length, payload.size()}, *vp8, sent->out.pictureId, sent->out.tl0PicIdx);
    }
  }
  length += payload.size();
  if (transport.sendRtp(out, length, net::kMaxDatagram)) {
    counters_.retransmissions.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace parley::sfu
