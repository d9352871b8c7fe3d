// libFuzzer: RTP header, extensions, RTX unwrapping, key frame detection, the VP8 payload
// descriptor (parsed, rewritten in place, and parsed again to the same shape) and key frame
// size, the picture size of an H.264 SPS (single or in a STAP-A), and a simulcast consumer choosing, switching and pausing layers on what arrives.
#include <cstring>
#include <vector>

#include "rtp/H264Sps.h"
#include "rtp/RtpPacket.h"
#include "rtp/Vp8Descriptor.h"
#include "sfu/Consumer.h"
#include "sfu/Producer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> copy(data, data + size);
  parley::rtp::RtpPacket packet;
  if (!packet.parse(copy.data(), copy.size())) return 0;
  for (std::uint8_t id = 1; id < 16; ++id) packet.extension(id);
  parley::rtp::isVp8KeyFrame(packet.payload());
  parley::rtp::isH264KeyFrame(packet.payload());
  parley::rtp::h264PictureSize(packet.payload());
  if (const auto vp8 = parley::rtp::parseVp8Descriptor(packet.payload())) {
    const std::uint16_t pictureId = static_cast<std::uint16_t>(packet.sequenceNumber() * 7);
    parley::rtp::rewriteVp8Descriptor(packet.payload(), *vp8, pictureId, static_cast<std::uint8_t>(pictureId >> 3));
    const auto again = parley::rtp::parseVp8Descriptor(packet.payload());
    if (!again || again->size != vp8->size || again->pictureId.has_value() != vp8->pictureId.has_value() ||
        again->keyFrame != vp8->keyFrame) {
      __builtin_trap();  // a rewrite must never change the descriptor's shape
    }
  }
  // One simulcast producer and a consumer of it for the whole run (its buffers are large);
  // their state carries across inputs: layers learn sizes, the consumer switches and pauses.
  static parley::sfu::Producer producer(parley::sfu::ProducerDescription{
      "p", "owner", "0", parley::sfu::MediaKind::Video, parley::sfu::TrackSource::Camera,
      {{"q", 1, 2}, {"h", 3, 4}, {"f", 5, 6}}, 96, 97, {"VP8", 90000, 1, "", 96, 97}});
  static parley::sfu::Consumer consumer(producer, nullptr, "0", 7, 8);
  static std::int64_t now = 1000000;
  now += 10000;
  const int layer = static_cast<int>(size % producer.layerCount());
  if (size % 2) producer.unwrapRtx(packet, layer);
  if (!producer.onRtp(packet, layer, now)) return 0;
  const auto vp8 = parley::rtp::parseVp8Descriptor(packet.payload());
  if (vp8) parley::rtp::vp8KeyFrameSize(packet.payload().subspan(vp8->size));
  consumer.setMaxHeight(static_cast<int>(packet.timestamp() % 5) * 200 - 200);  // -200 means "any" here
  if (consumer.maxHeight() < 0) consumer.setMaxHeight(parley::sfu::kAnyHeight);
  consumer.selectLayer(now);
  if (const auto out = consumer.admit(packet, layer, vp8 && vp8->keyFrame, vp8 ? &*vp8 : nullptr, now)) {
    if (!consumer.sentPacket(out->sequence)) __builtin_trap();  // what went out must be found for NACKs
  }
  return 0;
}
