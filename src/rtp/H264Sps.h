#pragma once
// The picture size an H.264 sequence parameter set states (ITU-T H.264 7.3.2.1.1), from an
// RTP payload (RFC 6184) that carries one: a single SPS NAL unit, or one inside a STAP-A
// (browsers send SPS, PPS and the IDR slice's start together). What the SFU needs to know
// an H.264 simulcast layer's height, as VP8 key frames give it. Every read is bounded:
// emulation prevention bytes are removed into a fixed buffer, Exp-Golomb codes are capped
// at 31 leading zeros, and a truncated or out-of-range field gives nothing.
#include <cstdint>
#include <optional>
#include <span>

namespace parley::rtp {

struct H264PictureSize {
  std::uint16_t width = 0, height = 0;
};

// The size in the SPS this payload carries; nothing if it carries none, or a malformed one.
std::optional<H264PictureSize> h264PictureSize(std::span<const std::uint8_t> payload);
// The size an SPS NAL unit (its header byte first) states.
std::optional<H264PictureSize> h264SpsSize(std::span<const std::uint8_t> nal);

}  // namespace parley::rtp
