#include "sfu/Producer.h"

#include <atomic>
#include <cstring>

namespace parley::sfu {

namespace {
constexpr std::int64_t kKeyFrameIntervalMicros = 500000;
std::atomic<std::uint32_t> nextPipeId{1};
}

Producer::Producer(ProducerDescription description)
    : d_(std::move(description)),
      // Video: 1024 packets (several seconds at camera rates), kept 2 s; audio: 1 s.
      buffer_(d_.kind == MediaKind::Video ? 1024 : 128, d_.kind == MediaKind::Video ? 2000000 : 1000000),
      stats_(d_.codec.clockRate),
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
  packet.setSsrc(d_.ssrc);
  packet.setPayloadType(d_.payloadType);
  return packet.parse(data, newLength);
}

bool Producer::onRtp(rtp::RtpPacket& packet, std::int64_t now) {
  if (packet.payloadType() != d_.payloadType) return false;  // only the negotiated codec
  stats_.onPacket(packet.sequenceNumber(), packet.timestamp(), now);
  if (d_.kind == MediaKind::Video && nacks_.onPacket(packet.sequenceNumber(), now)) requestKeyFrame();
  buffer_.store(packet.sequenceNumber(), packet.data(), packet.size(), now);
  packet.setPayloadType(d_.codec.payloadType);
  return true;
}

void Producer::onPipedRtp(const rtp::RtpPacket& packet, std::int64_t now) {
  buffer_.store(packet.sequenceNumber(), packet.data(), packet.size(), now);
}

void Producer::notifyAudio(const rtp::RtpPacket& packet, std::optional<AudioLevel> level) const {
  for (ProducerObserver* observer : observers_) observer->onAudio(*this, packet.payload(), packet.timestamp(), level);
}

bool Producer::isKeyFrame(const rtp::RtpPacket& packet) const {
  if (d_.kind != MediaKind::Video) return true;
  if (d_.codec.name == "VP8") return rtp::isVp8KeyFrame(packet.payload());
  if (d_.codec.name == "H264") return rtp::isH264KeyFrame(packet.payload());
  return false;
}

bool Producer::takeKeyFrameRequest(std::int64_t now) {
  if (!keyFrameWanted_ || d_.kind != MediaKind::Video) return false;
  if (lastKeyFrameRequest_ != 0 && now - lastKeyFrameRequest_ < kKeyFrameIntervalMicros) return false;
  keyFrameWanted_ = false;
  lastKeyFrameRequest_ = now;
  return true;
}

}  // namespace parley::sfu
