#pragma once
// What one RTP payload adds to a frame for the recording's file: VP8 (RFC 7741) without its
// payload descriptor, H.264 (RFC 6184: single NAL units, STAP-A and FU-A) as Annex B NAL
// units (start code, then the unit), which is what libavformat's Matroska muxer takes.
// Every length is checked against the payload: a malformed payload adds nothing and says so.
#include <cstdint>
#include <span>
#include <vector>

namespace parley::record {

enum class VideoCodec { Vp8, H264 };

// Appends the payload's frame data to `frame`. False (and `frame` unchanged) if malformed.
bool appendVp8(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& frame);
bool appendH264(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& frame);

// Whether a packet can be the first of a frame: VP8's partition 0 start; for H.264 a single
// NAL unit, an aggregate or the first fragment of a unit.
bool startsVp8Frame(std::span<const std::uint8_t> payload);
bool startsH264Frame(std::span<const std::uint8_t> payload);

// Whether a packet is the first of a frame a decoder can start from.
bool startsKeyFrame(VideoCodec codec, std::span<const std::uint8_t> payload);

// The H.264 parameter sets (SPS and PPS NAL units) of an Annex B frame, as Annex B: the
// file's codec private data. Empty if the frame has no SPS.
std::vector<std::uint8_t> h264ParameterSets(std::span<const std::uint8_t> annexB);

// A VP8 key frame's picture size (its frame header), or {0, 0}.
struct PictureSize {
  int width = 0, height = 0;
};
PictureSize vp8PictureSize(std::span<const std::uint8_t> frame);
// From an H.264 SPS within an Annex B frame, or {0, 0}.
PictureSize h264PictureSize(std::span<const std::uint8_t> annexB);

}  // namespace parley::record
