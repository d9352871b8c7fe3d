#pragma once
// A view over an RTP packet in a caller's buffer (RFC 3550, header extensions RFC 8285).
// Parsing validates every length against the buffer; setters rewrite fields in place.
#include <cstddef>
#include <cstdint>
#include <span>

#include "common/Bytes.h"

namespace parley::rtp {

using parley::read16;
using parley::read24;
using parley::read32;
using parley::write16;
using parley::write24;
using parley::write32;

class RtpPacket {
 public:
  // Returns false if `data` is not a well-formed RTP packet.
  bool parse(std::uint8_t* data, std::size_t length);

  std::uint8_t* data() const { return data_; }
  std::size_t size() const { return length_; }
  bool marker() const { return data_[1] & 0x80; }
  std::uint8_t payloadType() const { return data_[1] & 0x7F; }
  std::uint16_t sequenceNumber() const { return read16(data_ + 2); }
  std::uint32_t timestamp() const { return read32(data_ + 4); }
  std::uint32_t ssrc() const { return read32(data_ + 8); }
  std::size_t headerSize() const { return headerSize_; }
  std::span<std::uint8_t> payload() const { return {data_ + headerSize_, payloadSize_}; }
  std::size_t paddingSize() const { return padding_; }
  bool hasExtensions() const { return extensionsOffset_ != 0; }

  void setPayloadType(std::uint8_t pt) { data_[1] = static_cast<std::uint8_t>((data_[1] & 0x80) | (pt & 0x7F)); }
  void setSequenceNumber(std::uint16_t seq) { write16(data_ + 2, seq); }
  void setTimestamp(std::uint32_t ts) { write32(data_ + 4, ts); }
  void setSsrc(std::uint32_t ssrc) { write32(data_ + 8, ssrc); }

  // The value of header extension `id` (1-14 one-byte, 1-255 two-byte), empty if absent.
  std::span<std::uint8_t> extension(std::uint8_t id) const;

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t length_ = 0;
  std::size_t headerSize_ = 0;
  std::size_t payloadSize_ = 0;
  std::size_t padding_ = 0;
  std::size_t extensionsOffset_ = 0;  // start of the extension elements
  std::size_t extensionsSize_ = 0;
  bool twoByteExtensions_ = false;
};

// Writes a one-byte-header extension block (RFC 8285) at `out`; returns its size, a
// multiple of four. `elements` are (id, value) pairs with ids 1-14 and 1-16 byte values.
struct ExtensionElement {
  std::uint8_t id;
  const std::uint8_t* value;
  std::uint8_t length;
};
std::size_t writeOneByteExtensions(std::uint8_t* out, std::span<const ExtensionElement> elements);

// Sequence-number arithmetic modulo 2^16.
inline bool seqNewer(std::uint16_t a, std::uint16_t b) { return a != b && static_cast<std::uint16_t>(a - b) < 0x8000; }

// Whether a payload starts a key frame, for the codecs Parley forwards.
bool isVp8KeyFrame(std::span<const std::uint8_t> payload);
bool isH264KeyFrame(std::span<const std::uint8_t> payload);

}  // namespace parley::rtp
