// libFuzzer: a video track's RTP payloads as a recording receives them (any order, any
// content), through the frame assembler and the readers of what a frame holds (picture
// size, H.264 parameter sets). Input: a codec byte, then packets of [length (1 byte),
// sequence step (1), flags (1): marker, new timestamp, late arrival] and the payload.
#include <cstdint>
#include <span>

#include "record/FrameAssembler.h"
#include "record/RtpDepacketizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::record;
  if (size < 1) return 0;
  const VideoCodec codec = data[0] & 1 ? VideoCodec::H264 : VideoCodec::Vp8;
  FrameAssembler assembler(codec);
  std::size_t i = 1;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::int64_t now = 0;
  while (i + 3 <= size) {
    const std::size_t length = data[i];
    sequence = static_cast<std::uint16_t>(sequence + static_cast<std::int8_t>(data[i + 1]));
    const std::uint8_t flags = data[i + 2];
    i += 3;
    if (i + length > size) break;
    if (flags & 2) timestamp += 3000;
    now += flags & 4 ? FrameAssembler::kMaxWaitMicros : 1000;
    const std::span<const std::uint8_t> payload(data + i, length);
    i += length;
    startsKeyFrame(codec, payload);
    assembler.push(sequence, timestamp, flags & 1, payload, now);
    while (auto frame = assembler.pop(now)) {
      if (codec == VideoCodec::Vp8) {
        vp8PictureSize(frame->data);
      } else {
        h264PictureSize(frame->data);
        h264ParameterSets(frame->data);
      }
    }
  }
  return 0;
}
