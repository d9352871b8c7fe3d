#include "rtp/RtpPacket.h"

#include "rtp/Vp8Descriptor.h"

#include <cstring>

namespace parley::rtp {

bool RtpPacket::parse(std::uint8_t* data, std::size_t length) {
  if (length < 12 || (data[0] >> 6) != 2) return false;
  data_ = data;
  length_ = length;
  std::size_t offset = 12 + 4 * std::size_t(data[0] & 0x0F);
  if (offset > length) return false;
  extensionsOffset_ = extensionsSize_ = 0;
  if (data[0] & 0x10) {
    if (offset + 4 > length) return false;
    const std::uint16_t profile = read16(data + offset);
    const std::size_t words = read16(data + offset + 2);
    if (offset + 4 + words * 4 > length) return false;
    if (profile == 0xBEDE || (profile & 0xFFF0) == 0x1000) {
      extensionsOffset_ = offset + 4;
      extensionsSize_ = words * 4;
      twoByteExtensions_ = profile != 0xBEDE;
    }
    offset += 4 + words * 4;
  }
  padding_ = 0;
  if (data[0] & 0x20) {
    if (length == offset) return false;
    padding_ = data[length - 1];
    if (padding_ == 0 || offset + padding_ > length) return false;
  }
  headerSize_ = offset;
  payloadSize_ = length - offset - padding_;
  return true;
}

std::span<std::uint8_t> RtpPacket::extension(std::uint8_t id) const {
  if (!extensionsOffset_ || id == 0) return {};
  std::size_t i = extensionsOffset_;
  const std::size_t end = extensionsOffset_ + extensionsSize_;
  while (i < end) {
    if (data_[i] == 0) {  // padding
      ++i;
      continue;
    }
    std::uint8_t elementId;
    std::size_t elementLength;
    if (twoByteExtensions_) {
      if (i + 2 > end) return {};
      elementId = data_[i];
      elementLength = data_[i + 1];
      i += 2;
    } else {
      elementId = data_[i] >> 4;
      elementLength = (data_[i] & 0x0F) + 1u;
      if (elementId == 15) return {};  // reserved: stop
      i += 1;
    }
    if (i + elementLength > end) return {};
    if (elementId == id) return {data_ + i, elementLength};
    i += elementLength;
  }
  return {};
}

std::size_t writeOneByteExtensions(std::uint8_t* out, std::span<const ExtensionElement> elements) {
  if (elements.empty()) return 0;
  std::size_t i = 4;
  for (const auto& e : elements) {
    out[i++] = static_cast<std::uint8_t>(e.id << 4 | ((e.length - 1) & 0x0F));
    std::memcpy(out + i, e.value, e.length);
    i += e.length;
  }
  while (i % 4) out[i++] = 0;
  write16(out, 0xBEDE);
  write16(out + 2, static_cast<std::uint16_t>((i - 4) / 4));
  return i;
}

bool isVp8KeyFrame(std::span<const std::uint8_t> payload) {
  const auto descriptor = parseVp8Descriptor(payload);
  return descriptor && descriptor->keyFrame;
}

bool isH264KeyFrame(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return false;
  const std::uint8_t type = payload[0] & 0x1F;
  if (type == 5 || type == 7) return true;  // IDR slice or SPS
  if (type == 24) {                         // STAP-A: aggregated NAL units
    std::size_t i = 1;
    while (i + 2 < payload.size()) {
      const std::size_t size = read16(payload.data() + i);
      i += 2;
      if (size == 0 || i + size > payload.size()) return false;
      const std::uint8_t inner = payload[i] & 0x1F;
      if (inner == 5 || inner == 7) return true;
      i += size;
    }
    return false;
  }
  if (type == 28 && payload.size() >= 2) {  // FU-A: the start fragment carries the type
    return (payload[1] & 0x80) && ((payload[1] & 0x1F) == 5 || (payload[1] & 0x1F) == 7);
  }
  return false;
}

}  // namespace parley::rtp
