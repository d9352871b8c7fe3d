#include "rtp/Vp8Descriptor.h"

namespace parley::rtp {

std::optional<Vp8Descriptor> parseVp8Descriptor(std::span<const std::uint8_t> payload) {
  Vp8Descriptor d;
  std::size_t i = 0;
  if (payload.empty()) return std::nullopt;
  const std::uint8_t first = payload[i++];
  d.nonReference = first & 0x20;
  d.startOfPartition = first & 0x10;
  d.partitionIndex = first & 0x0F;
  if (first & 0x80) {  // X: the extension byte follows
    if (i >= payload.size()) return std::nullopt;
    const std::uint8_t x = payload[i++];
    if (x & 0x80) {  // I: PictureID
      if (i >= payload.size()) return std::nullopt;
      d.pictureIdOffset = i;
      d.longPictureId = payload[i] & 0x80;
      if (d.longPictureId) {
        if (i + 1 >= payload.size()) return std::nullopt;
        d.pictureId = static_cast<std::uint16_t>(((payload[i] & 0x7F) << 8) | payload[i + 1]);
        i += 2;
      } else {
        d.pictureId = payload[i] & 0x7F;
        i += 1;
      }
    }
    if (x & 0x40) {  // L: TL0PICIDX
      if (i >= payload.size()) return std::nullopt;
      d.tl0PicIdxOffset = i;
      d.tl0PicIdx = payload[i++];
    }
    if (x & 0x30) {  // T or K: one byte holds TID, Y and KEYIDX
      if (i >= payload.size()) return std::nullopt;
      const std::uint8_t tk = payload[i++];
      if (x & 0x20) {
        d.temporalLayer = static_cast<std::uint8_t>(tk >> 6);
        d.layerSync = tk & 0x20;
      }
      if (x & 0x10) d.keyIndex = tk & 0x1F;
    }
  }
  d.size = i;
  // The VP8 payload header starts partition 0: its P bit is 0 on a key frame.
  if (d.startOfPartition && d.partitionIndex == 0) {
    if (i >= payload.size()) return std::nullopt;
    d.keyFrame = (payload[i] & 0x01) == 0;
  }
  return d;
}

void rewriteVp8Descriptor(std::span<std::uint8_t> payload, const Vp8Descriptor& d, std::uint16_t pictureId,
                          std::uint8_t tl0PicIdx) {
  if (d.pictureId && d.pictureIdOffset < payload.size()) {
    if (d.longPictureId && d.pictureIdOffset + 1 < payload.size()) {
      payload[d.pictureIdOffset] = static_cast<std::uint8_t>(0x80 | ((pictureId >> 8) & 0x7F));
      payload[d.pictureIdOffset + 1] = static_cast<std::uint8_t>(pictureId & 0xFF);
    } else if (!d.longPictureId) {
      payload[d.pictureIdOffset] = static_cast<std::uint8_t>(pictureId & 0x7F);
    }
  }
  if (d.tl0PicIdx && d.tl0PicIdxOffset < payload.size()) payload[d.tl0PicIdxOffset] = tl0PicIdx;
}

std::optional<Vp8FrameSize> vp8KeyFrameSize(std::span<const std::uint8_t> vp8) {
  if (vp8.size() < 10 || (vp8[0] & 0x01) != 0) return std::nullopt;  // P bit 1: an inter frame
  if (vp8[3] != 0x9d || vp8[4] != 0x01 || vp8[5] != 0x2a) return std::nullopt;
  Vp8FrameSize size;
  size.width = static_cast<std::uint16_t>((vp8[6] | (vp8[7] << 8)) & 0x3FFF);
  size.height = static_cast<std::uint16_t>((vp8[8] | (vp8[9] << 8)) & 0x3FFF);
  if (size.width == 0 || size.height == 0) return std::nullopt;
  return size;
}

}  // namespace parley::rtp
