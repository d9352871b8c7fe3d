#include "sfu/Producer.h"

#include <algorithm>
#include <array>

#include <atomic>
#include <cstring>

#include "rtp/H264Sps.h"
#include "rtp/Vp8Descriptor.h"

namespace parley::sfu {

namespace {
constexpr std::int64_t kKeyFrameIntervalMicros = 500000;
std::atomic<std::uint32_t> nextPipeId{1};
}  // namespace

Producer::Producer(ProducerDescription description)
    : d_(std::move(description)), pipeId_(nextPipeId.fetch_add(1, std::memory_order_relaxed)) {
  if (d_.layers.empty()) d_.layers.push_back({});
  if (d_.layers.size() > kMaxLayers) d_.layers.resize(kMaxLayers);
  layers_.reserve(d_.layers.size());
  for (const auto& layer : d_.layers) layers_.emplace_back(d_.kind, d_.codec.clockRate, layer);
  consumers_.reserve(16);
  vp8_ = d_.kind == MediaKind::Video && d_.codec.name == "VP8";
  h264_ = d_.kind == MediaKind::Video && d_.codec.name == "H264";
}

namespace {
// What a packet adds to its layer's bitrate: not its RTP padding, which a publisher may add
// to probe its uplink and which no subscriber gets.
std::size_t mediaBytes(const rtp::RtpPacket& packet) { return packet.size() - packet.paddingSize(); }
}  // namespace

int Producer::layerOfSsrc(std::uint32_t ssrc) const {
  if (ssrc == 0) return -1;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].ssrc == ssrc || layers_[i].rtxSsrc == ssrc) return static_cast<int>(i);
  }
  return -1;
}

int Producer::unboundLayer(std::string_view rid) const {
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (!layers_[i].rid.empty() && layers_[i].rid == rid) return static_cast<int>(i);
  }
  return -1;
}

void Producer::bindSsrc(int index, std::uint32_t ssrc, bool rtx) {
  ProducerLayer& layer = layers_[static_cast<std::size_t>(index)];
  (rtx ? layer.rtxSsrc : layer.ssrc) = ssrc;
}

bool Producer::unwrapRtx(rtp::RtpPacket& packet, int index) {
  // RFC 4588: the payload starts with the original sequence number.
  auto payload = packet.payload();
  if (payload.size() < 2) return false;
  const std::uint16_t original = rtp::read16(payload.data());
  std::memmove(payload.data(), payload.data() + 2, payload.size() - 2 + packet.paddingSize());
  std::uint8_t* data = packet.data();
  const std::size_t newLength = packet.size() - 2;
  packet.setSequenceNumber(original);
  packet.setSsrc(layers_[static_cast<std::size_t>(index)].ssrc);
  packet.setPayloadType(d_.payloadType);
  return packet.parse(data, newLength);
}

void Producer::notePicture(ProducerLayer& layer, const rtp::RtpPacket& packet) {
  if (h264_) {
    if (const auto size = rtp::h264PictureSize(packet.payload())) {
      layer.width = size->width;
      layer.height = size->height;
    }
    return;
  }
  if (!vp8_) return;
  const auto payload = packet.payload();
  const auto descriptor = rtp::parseVp8Descriptor(payload);
  if (!descriptor) return;
  if (descriptor->temporalLayer) layer.noteTemporal(*descriptor->temporalLayer, packet.size());
  if (!descriptor->keyFrame) return;
  if (const auto size = rtp::vp8KeyFrameSize(payload.subspan(descriptor->size))) {
    layer.width = size->width;
    layer.height = size->height;
  }
}

bool Producer::onRtp(rtp::RtpPacket& packet, int index, std::int64_t now) {
  if (packet.payloadType() != d_.payloadType) return false;  // only the negotiated codec
  ProducerLayer& layer = layers_[static_cast<std::size_t>(index)];
  // A packet received already: Chromium probes bandwidth by sending recent packets again
  // over RTX, and a repair may cross its late original. Neither is forwarded twice.
  if (layer.buffer.holds(packet.sequenceNumber(), now)) return false;
  layer.stats.onPacket(packet.sequenceNumber(), packet.timestamp(), now);
  if (d_.kind == MediaKind::Video && layer.nacks.onPacket(packet.sequenceNumber(), now)) layer.keyFrameWanted = true;
  layer.buffer.store(packet.sequenceNumber(), packet.data(), packet.size(), now);
  layer.lastPacketAt = now;
  ++layer.packets;
  layer.bytes += mediaBytes(packet);
  notePicture(layer, packet);
  packet.setPayloadType(d_.codec.payloadType);
  return true;
}

void Producer::onPipedRtp(const rtp::RtpPacket& packet, int index, std::int64_t now) {
  ProducerLayer& layer = layers_[static_cast<std::size_t>(index)];
  layer.buffer.store(packet.sequenceNumber(), packet.data(), packet.size(), now);
  layer.lastPacketAt = now;
  ++layer.packets;
  layer.bytes += mediaBytes(packet);
  notePicture(layer, packet);
}

void Producer::notifyAudio(const rtp::RtpPacket& packet, std::optional<AudioLevel> level) const {
  for (ProducerObserver* observer : observers_) observer->onAudio(*this, packet.payload(), packet.timestamp(), level);
}

bool Producer::isKeyFrame(const rtp::RtpPacket& packet) const {
  if (d_.kind != MediaKind::Video) return true;
  if (vp8_) return rtp::isVp8KeyFrame(packet.payload());
  if (h264_) return rtp::isH264KeyFrame(packet.payload());
  return false;
}

int Producer::chooseLayer(int maxHeight, int current, bool everyLayerFlows, std::int64_t now) const {
  std::array<LayerView, kMaxLayers> views{};
  const std::size_t count = std::min(layers_.size(), kMaxLayers);
  for (std::size_t i = 0; i < count; ++i) views[i] = {everyLayerFlows || layers_[i].flowing(now), layers_[i].height};
  return sfu::chooseLayer({views.data(), count}, maxHeight, current);
}

bool Producer::takeKeyFrameRequest(int index, std::int64_t now) {
  ProducerLayer& layer = layers_[static_cast<std::size_t>(index)];
  if (!layer.keyFrameWanted || d_.kind != MediaKind::Video) return false;
  if (layer.lastKeyFrameRequest != 0 && now - layer.lastKeyFrameRequest < kKeyFrameIntervalMicros) return false;
  layer.keyFrameWanted = false;
  layer.lastKeyFrameRequest = now;
  return true;
}

}  // namespace parley::sfu
