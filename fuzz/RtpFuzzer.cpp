// libFuzzer: RTP header, extensions, RTX unwrapping, key frame detection, and the VP8
// payload descriptor: parsed, rewritten in place, and parsed again to the same shape.
#include <cstring>
#include <vector>

#include "rtp/RtpPacket.h"
#include "rtp/Vp8Descriptor.h"
#include "sfu/Producer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> copy(data, data + size);
  parley::rtp::RtpPacket packet;
  if (!packet.parse(copy.data(), copy.size())) return 0;
  for (std::uint8_t id = 1; id < 16; ++id) packet.extension(id);
  parley::rtp::isVp8KeyFrame(packet.payload());
  parley::rtp::isH264KeyFrame(packet.payload());
  if (const auto vp8 = parley::rtp::parseVp8Descriptor(packet.payload())) {
    const std::uint16_t pictureId = static_cast<std::uint16_t>(packet.sequenceNumber() * 7);
    parley::rtp::rewriteVp8Descriptor(packet.payload(), *vp8, pictureId, static_cast<std::uint8_t>(pictureId >> 3));
    const auto again = parley::rtp::parseVp8Descriptor(packet.payload());
    if (!again || again->size != vp8->size || again->pictureId.has_value() != vp8->pictureId.has_value() ||
        again->keyFrame != vp8->keyFrame) {
      __builtin_trap();  // a rewrite must never change the descriptor's shape
    }
  }
  // One producer for the whole run (its buffer is large); its state carries across inputs.
  static parley::sfu::Producer producer(parley::sfu::ProducerDescription{
      "p", "owner", "0", parley::sfu::MediaKind::Video, parley::sfu::TrackSource::Camera, 1, 2, 96, 97,
      {"VP8", 90000, 1, "", 96, 97}});
  if (size % 2) producer.unwrapRtx(packet);
  producer.onRtp(packet, 1000);
  return 0;
}
