#pragma once
// The VP8 payload descriptor (RFC 7741 section 4.2) at the start of every VP8 RTP payload:
// partition start, PictureID (7 or 15 bits), TL0PICIDX, temporal layer (TID, layer sync) and
// KEYIDX, and whether the packet starts a key frame. Parsing checks every length against the
// payload; the rewrite changes PictureID and TL0PICIDX in place, keeping the descriptor's
// size (a 7-bit PictureID stays 7 bits and wraps at 128), so the packet's length never
// changes on the media path.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace parley::rtp {

struct Vp8Descriptor {
  bool nonReference = false;      // N: the frame can be dropped without harming others
  bool startOfPartition = false;  // S
  std::uint8_t partitionIndex = 0;
  std::optional<std::uint16_t> pictureId;
  bool longPictureId = false;  // 15 bits (M=1), else 7
  std::optional<std::uint8_t> tl0PicIdx;
  std::optional<std::uint8_t> temporalLayer;  // TID, 0-3
  bool layerSync = false;                     // Y
  std::optional<std::uint8_t> keyIndex;       // KEYIDX, 0-31
  std::size_t size = 0;  // bytes of descriptor; the VP8 payload follows
  bool keyFrame = false;  // the first packet of a key frame (S, partition 0, P bit 0)

  // Where the rewritable fields sit, from the start of the payload (0: absent).
  std::size_t pictureIdOffset = 0;
  std::size_t tl0PicIdxOffset = 0;
};

// Nothing if `payload` does not hold a whole descriptor (and for a key frame, the VP8
// header's first byte).
std::optional<Vp8Descriptor> parseVp8Descriptor(std::span<const std::uint8_t> payload);

// Writes `pictureId` (masked to the descriptor's 7 or 15 bits) and `tl0PicIdx` where the
// descriptor `d` (parsed from this payload) has them; fields it lacks stay absent.
void rewriteVp8Descriptor(std::span<std::uint8_t> payload, const Vp8Descriptor& d, std::uint16_t pictureId,
                          std::uint8_t tl0PicIdx);

// The picture size a VP8 key frame's header states (RFC 6386 section 9.1: the 3-byte frame
// tag, the start code 9d 01 2a, then 14-bit width and height), from the VP8 data after the
// payload descriptor of a key frame's first packet. Nothing if it is not one.
struct Vp8FrameSize {
  std::uint16_t width = 0, height = 0;
};
std::optional<Vp8FrameSize> vp8KeyFrameSize(std::span<const std::uint8_t> vp8);

}  // namespace parley::rtp
