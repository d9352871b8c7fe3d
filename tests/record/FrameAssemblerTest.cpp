#include "record/FrameAssembler.h"

#include <gtest/gtest.h>

#include "record/RtpDepacketizer.h"

namespace parley::record {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A VP8 payload: descriptor (S bit on a frame's first packet), then the VP8 data; a key
// frame's first packet starts with a key frame's frame tag (P bit 0) and start code.
Bytes vp8(bool start, bool key, std::uint8_t fill) {
  Bytes p = {static_cast<std::uint8_t>(start ? 0x10 : 0x00)};
  if (start && key) p.insert(p.end(), {0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00});
  else if (start) p.insert(p.end(), {0x11, 0x02, 0x00});
  p.insert(p.end(), 20, fill);
  return p;
}

struct Feed {
  FrameAssembler assembler{VideoCodec::Vp8};
  std::vector<VideoFrame> frames;
  void push(std::uint16_t seq, std::uint32_t ts, bool marker, const Bytes& payload, std::int64_t now) {
    assembler.push(seq, ts, marker, payload, now);
    while (auto frame = assembler.pop(now)) frames.push_back(std::move(*frame));
  }
};

TEST(FrameAssembler, WholeFramesComeOutInOrderWithTheirDescriptorsRemoved) {
  Feed f;
  f.push(100, 9000, false, vp8(true, true, 1), 0);
  f.push(101, 9000, true, vp8(false, false, 2), 0);
  f.push(102, 12000, true, vp8(true, false, 3), 0);
  ASSERT_EQ(f.frames.size(), 2u);
  EXPECT_TRUE(f.frames[0].keyFrame);
  EXPECT_FALSE(f.frames[1].keyFrame);
  EXPECT_EQ(f.frames[0].data.size(), 10u + 20u + 20u);  // both packets, without the 1-byte descriptors
  EXPECT_EQ(f.frames[1].timestamp - f.frames[0].timestamp, 3000);
}

TEST(FrameAssembler, NothingGoesOutBeforeTheFirstKeyFrame) {
  Feed f;
  f.push(1, 3000, true, vp8(true, false, 1), 0);
  EXPECT_TRUE(f.frames.empty());
  EXPECT_TRUE(f.assembler.needsKeyFrame());
  f.push(2, 6000, true, vp8(true, true, 2), 0);
  ASSERT_EQ(f.frames.size(), 1u);
  EXPECT_TRUE(f.frames[0].keyFrame);
  EXPECT_FALSE(f.assembler.needsKeyFrame());
}

TEST(FrameAssembler, AReorderedOrRetransmittedPacketCompletesItsFrame) {
  Feed f;
  f.push(10, 0, true, vp8(true, true, 0), 0);
  f.push(12, 3000, true, vp8(false, false, 2), 1000);  // 11 is late
  f.push(13, 6000, true, vp8(true, false, 3), 2000);
  EXPECT_EQ(f.frames.size(), 1u);
  f.push(11, 3000, false, vp8(true, false, 1), 100000);  // the retransmission, within the wait
  EXPECT_EQ(f.frames.size(), 3u);
  EXPECT_EQ(f.assembler.framesLost(), 0u);
}

TEST(FrameAssembler, AGapNotFilledInTimeLosesFramesUntilTheNextKeyFrame) {
  Feed f;
  f.push(10, 0, true, vp8(true, true, 0), 0);
  f.push(12, 3000, true, vp8(false, false, 2), 1000);  // 11 never comes
  f.push(13, 6000, true, vp8(true, false, 3), 2000);
  f.push(14, 9000, true, vp8(true, false, 4), FrameAssembler::kMaxWaitMicros + 2000);
  EXPECT_EQ(f.frames.size(), 1u);
  EXPECT_TRUE(f.assembler.needsKeyFrame());  // the frames after refer to the lost one
  EXPECT_EQ(f.assembler.framesLost(), 1u);
  f.push(11, 3000, false, vp8(true, false, 1), FrameAssembler::kMaxWaitMicros + 3000);  // too late now
  f.push(15, 12000, true, vp8(true, true, 5), FrameAssembler::kMaxWaitMicros + 4000);
  ASSERT_EQ(f.frames.size(), 2u);
  EXPECT_TRUE(f.frames[1].keyFrame);
  EXPECT_EQ(f.frames[1].timestamp - f.frames[0].timestamp, 12000);
}

TEST(FrameAssembler, SequenceNumbersAndTimestampsWrap) {
  Feed f;
  f.push(65535, 0xFFFFF000u, false, vp8(true, true, 0), 0);
  f.push(0, 0xFFFFF000u, true, vp8(false, false, 1), 0);
  f.push(1, 0x00000BB8u, true, vp8(true, false, 2), 0);
  ASSERT_EQ(f.frames.size(), 2u);
  EXPECT_EQ(f.frames[1].timestamp - f.frames[0].timestamp, 0x1000 + 0xBB8);
}

TEST(FrameAssembler, HoldsABoundedNumberOfPackets) {
  Feed f;
  f.push(0, 0, true, vp8(true, true, 0), 0);
  // A frame that never ends, then more: what is held stays bounded.
  for (std::uint32_t i = 2; i < 3 * FrameAssembler::kMaxPackets; ++i) {
    f.push(static_cast<std::uint16_t>(i), 3000, false, vp8(false, false, 1), 0);
  }
  EXPECT_GT(f.assembler.packetsDiscarded(), FrameAssembler::kMaxPackets);
  EXPECT_EQ(f.frames.size(), 1u);
}

TEST(RtpDepacketizer, H264AggregatesAndFragmentsBecomeAnnexBUnits) {
  Bytes frame;
  // STAP-A with an SPS-like (7) and a PPS-like (8) unit.
  const Bytes stap = {0x78, 0x00, 0x02, 0x67, 0xAA, 0x00, 0x02, 0x68, 0xBB};
  ASSERT_TRUE(appendH264(stap, frame));
  // An IDR slice (5) in two fragments.
  ASSERT_TRUE(appendH264(Bytes{0x7C, 0x85, 0x01, 0x02}, frame));
  ASSERT_TRUE(appendH264(Bytes{0x7C, 0x45, 0x03}, frame));
  const Bytes expected = {0, 0, 0, 1, 0x67, 0xAA, 0, 0, 0, 1, 0x68, 0xBB, 0, 0, 0, 1, 0x65, 0x01, 0x02, 0x03};
  EXPECT_EQ(frame, expected);
  EXPECT_EQ(h264ParameterSets(frame), (Bytes{0, 0, 0, 1, 0x67, 0xAA, 0, 0, 0, 1, 0x68, 0xBB}));
  EXPECT_TRUE(startsKeyFrame(VideoCodec::H264, stap));
}

TEST(RtpDepacketizer, MalformedPayloadsAddNothing) {
  Bytes frame = {9};
  EXPECT_FALSE(appendH264(Bytes{}, frame));
  EXPECT_FALSE(appendH264(Bytes{0x78, 0x00, 0x09, 0x67}, frame));  // a STAP-A unit longer than the packet
  EXPECT_FALSE(appendH264(Bytes{0x78, 0x00, 0x00}, frame));        // an empty unit
  EXPECT_FALSE(appendH264(Bytes{0x7C, 0xC5, 0x01}, frame));        // start and end at once
  EXPECT_FALSE(appendH264(Bytes{0x99}, frame));                    // the forbidden bit
  EXPECT_FALSE(appendVp8(Bytes{0x90}, frame));                     // a descriptor cut short
  EXPECT_EQ(frame, Bytes{9});
}

}  // namespace
}  // namespace parley::record
