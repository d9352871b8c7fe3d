#include "sfu/Producer.h"

#include <atomic>
#include <cstring>

namespace parley::sfu {

namespace {
constexpr std::int64_t kKeyFrameIntervalMicros = 500000;
std::atomic<std::uint32_t> nextPipeId{1};
}

Producer::Producer(std::string id, std::string mid, MediaKind kind, TrackSource source, std::uint32_t ssrc,
                   std::uint32_t rtxSsrc, std::uint8_t publisherPayloadType, std::uint8_t publisherRtxPayloadType,
                   ForwardedCodec codec)
    : id_(std::move(id)),
      mid_(std::move(mid)),
      kind_(kind),
      source_(source),
      ssrc_(ssrc),
      rtxSsrc_(rtxSsrc),
      publisherPt_(publisherPayloadType),
      publisherRtxPt_(publisherRtxPayloadType),
      codec_(std::move(codec)),
      // Video: 1024 packets (several seconds at camera rates), kept 2 s; audio: 1 s.
      buffer_(kind == MediaKind::Video ? 1024 : 128, kind == MediaKind::Video ? 2000000 : 1000000),
      stats_(codec_.clockRate),
      pipeId_(nextPipeId.fetch_add(1, std::memory_order_relaxed)) {
  consumers_.reserve(16);
}

bool Producer::unwrapRtx(rtp::RtpPacket& packet) {
  // RFC 4588: the payload starts with the original sequence number.
  auto payload = packet.payload();
  if (payload.size() < 2) return false;
  const std::uint16_t original = rtp::read16(payload.data());
  std::memmove(payload.data(), payload.data() + 2, payload.size() - 2 + packet.paddingSize());
  std::uint8_t* data = packet.data();
  const std::size_t newLength = packet.size() - 2;
  packet.setSequenceNumber(original);
  packet.setSsrc(ssrc_);
  packet.setPayloadType(publisherPt_);
  return packet.parse(data, newLength);
}

bool Producer::onRtp(rtp::RtpPacket& packet, std::int64_t now) {
  if (packet.payloadType() != publisherPt_) return false;  // only the negotiated codec
  stats_.onPacket(packet.sequenceNumber(), packet.timestamp(), now);
  if (kind_ == MediaKind::Video) {
    if (nacks_.onPacket(packet.sequenceNumber(), now)) requestKeyFrame();
    buffer_.store(packet.sequenceNumber(), packet.data(), packet.size(), now);
  } else {
    buffer_.store(packet.sequenceNumber(), packet.data(), packet.size(), now);
  }
  packet.setPayloadType(codec_.payloadType);
  return true;
}

void Producer::onPipedRtp(const rtp::RtpPacket& packet, std::int64_t now) {
  buffer_.store(packet.sequenceNumber(), packet.data(), packet.size(), now);
}

bool Producer::isKeyFrame(const rtp::RtpPacket& packet) const {
  if (kind_ != MediaKind::Video) return true;
  if (codec_.name == "VP8") return rtp::isVp8KeyFrame(packet.payload());
  if (codec_.name == "H264") return rtp::isH264KeyFrame(packet.payload());
  return false;
}

bool Producer::takeKeyFrameRequest(std::int64_t now) {
  if (!keyFrameWanted_ || kind_ != MediaKind::Video) return false;
  if (lastKeyFrameRequest_ != 0 && now - lastKeyFrameRequest_ < kKeyFrameIntervalMicros) return false;
  keyFrameWanted_ = false;
  lastKeyFrameRequest_ = now;
  return true;
}

void Producer::onAudioLevel(std::uint8_t levelDbov, bool voice) {
  if (!voice || levelDbov > 70) return;  // quieter than -70 dBov is not speech
  loudness_ += 127u - levelDbov;
}

std::uint32_t Producer::takeLoudness() {
  const std::uint32_t value = loudness_;
  loudness_ = 0;
  return value;
}

}  // namespace parley::sfu
