// One outgoing video stream from several simulcast layers: what a decoder receives must be
// continuous through switches of layer and dropped temporal layers (no gap in sequence
// numbers or PictureIDs, time moving forward, TL0PICIDX one more per base-layer frame).
#include "sfu/VideoStreamRewriter.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <vector>

#include "sfu/SequenceMapper.h"

namespace parley::sfu {

TEST(SequenceMapper, ClosesGapsOfDroppedNumbersAndPlacesLatePacketsAsInOrder) {
  SequenceMapper<16> m;
  m.restart(65530, 100);
  EXPECT_EQ(m.forward(65530), 100u);
  EXPECT_EQ(m.forward(65531), 101u);
  m.drop(65532);
  m.drop(65533);
  // 65534 is missing (lost, not dropped): its number stays free for when it comes.
  EXPECT_EQ(m.forward(65535), 103u);
  EXPECT_EQ(m.forward(0), 104u) << "wraps";
  EXPECT_EQ(m.forward(65534), 102u) << "the late one takes the number it would have had";
  EXPECT_FALSE(m.forward(65529)) << "from before the source began";
  EXPECT_EQ(m.lastOut(), 104u);
}

TEST(SequenceMapper, ForgetsOldDropsButNeverMisplacesALatePacket) {
  SequenceMapper<16> m;
  m.restart(0, 0);
  ASSERT_EQ(m.forward(0), 0u);
  for (std::uint32_t in = 1; in <= 200; ++in) m.drop(in);
  EXPECT_EQ(m.forward(201), 1u);
  // 100 is older than every drop still remembered: it cannot be placed for sure.
  EXPECT_FALSE(m.forward(100));
}

TEST(SequenceMapper, WorksOnFifteenBitPictureIds) {
  SequenceMapper<15> m;
  m.restart(32767, 5);
  EXPECT_EQ(m.forward(32767), 5u);
  EXPECT_EQ(m.forward(0), 6u);
  EXPECT_TRUE(SequenceMapper<15>::newer(0, 32767));
}

namespace {

// A simulcast publisher: three layers, each with its own numbering, sending 30 frames a
// second of `packetsPerFrame` packets, with VP8 temporal layers 0,2,1,2 and a key frame on
// request.
struct Layer {
  std::uint32_t ssrc;
  std::uint16_t sequence;
  std::uint32_t timestamp;
  std::uint16_t pictureId;
  std::uint8_t tl0;
};

struct Sent {
  std::uint16_t sequence;
  std::uint32_t timestamp;
  std::uint16_t pictureId;
  std::uint8_t tl0;
  std::uint8_t temporalLayer;
  bool keyFrame;
};

class Publisher {
 public:
  Publisher() : layers_{{{1, 65000, 4000000000u, 32700, 250}, {2, 10, 77, 5, 0}, {3, 30000, 123456, 20000, 100}}} {}

  // One frame of every layer at frame number `frame`, handed to `deliver` packet by packet.
  template <typename Deliver>
  void frame(int frame, bool keyFrame, Deliver&& deliver) {
    const std::uint8_t tid = keyFrame ? 0 : kPattern[frame % 4];
    for (auto& layer : layers_) {
      if (tid == 0) ++layer.tl0;
      for (int p = 0; p < 3; ++p) {
        rtp::Vp8Descriptor d;
        d.pictureId = layer.pictureId;
        d.longPictureId = true;
        d.tl0PicIdx = layer.tl0;
        d.temporalLayer = tid;
        d.startOfPartition = p == 0;
        d.keyFrame = keyFrame && p == 0;
        VideoStreamRewriter::Packet packet{layer.ssrc, layer.sequence++, layer.timestamp,
                                           static_cast<std::int64_t>(frame) * 33333, d.keyFrame, nullptr};
        deliver(packet, d, p == 2);
      }
      layer.timestamp += 3000;
      layer.pictureId = static_cast<std::uint16_t>((layer.pictureId + 1) & 0x7FFF);
    }
  }

 private:
  static constexpr std::uint8_t kPattern[4] = {0, 2, 1, 2};
  std::array<Layer, 3> layers_;
};

}  // namespace

TEST(VideoStreamRewriter, AStreamSwitchedAcrossLayersAndThinnedIsContinuousForTheDecoder) {
  VideoStreamRewriter rewriter;
  Publisher publisher;
  std::vector<Sent> sent;
  // The subscriber first gets layer 1, then 3, then 2; from frame 40 only temporal layers
  // 0 and 1 (half the frame rate), from frame 70 all again.
  const std::map<int, std::uint32_t> switches = {{0, 1}, {20, 3}, {55, 2}};
  bool keyFrameWanted = true;
  for (int frame = 0; frame < 90; ++frame) {
    if (switches.count(frame)) {
      rewriter.switchTo(switches.at(frame));
      keyFrameWanted = true;
    }
    // The publisher answers a key frame request two frames later (all layers at once).
    const bool keyFrame = keyFrameWanted && frame % 5 == 2;
    if (keyFrame) keyFrameWanted = false;
    const int maxLayer = frame >= 40 && frame < 70 ? 1 : 2;
    publisher.frame(frame, keyFrame, [&](VideoStreamRewriter::Packet packet, rtp::Vp8Descriptor d, bool last) {
      packet.vp8 = &d;
      if (d.temporalLayer && *d.temporalLayer > maxLayer && packet.source == rewriter.current()) {
        rewriter.drop(packet, last);
        return;
      }
      if (const auto out = rewriter.forward(packet)) {
        sent.push_back({out->sequence, out->timestamp, out->pictureId, out->tl0PicIdx, *d.temporalLayer, d.keyFrame});
      }
    });
  }
  ASSERT_GT(sent.size(), 150u);
  EXPECT_TRUE(sent.front().keyFrame) << "a decoder starts at a key frame";
  int keyFrames = 0;
  for (std::size_t i = 1; i < sent.size(); ++i) {
    const Sent& a = sent[i - 1];
    const Sent& b = sent[i];
    keyFrames += b.keyFrame;
    ASSERT_EQ(static_cast<std::uint16_t>(a.sequence + 1), b.sequence) << "packet " << i << ": no gap in sequence numbers";
    if (a.pictureId == b.pictureId) {
      EXPECT_EQ(a.timestamp, b.timestamp) << "packet " << i << ": one frame, one timestamp";
      continue;
    }
    EXPECT_EQ((a.pictureId + 1) & 0x7FFF, b.pictureId) << "packet " << i << ": no gap in PictureIDs";
    const auto step = static_cast<std::int32_t>(b.timestamp - a.timestamp);
    EXPECT_GT(step, 0) << "packet " << i << ": time moves forward";
    EXPECT_LE(step, 2 * 3000 + 10) << "packet " << i << ": by about the frames between them";
    const int tl0Step = static_cast<std::uint8_t>(b.tl0 - a.tl0);
    EXPECT_EQ(tl0Step, b.temporalLayer == 0 ? 1 : 0) << "packet " << i << ": TL0PICIDX counts base frames";
  }
  // Frame 22: layer 1's key frame (still current), then layer 3's, which switches; frame 57:
  // layer 2's. No other key frame reaches the subscriber.
  EXPECT_EQ(keyFrames, 3);
}

TEST(VideoStreamRewriter, WaitsForAKeyFrameOfTheTargetAndIgnoresOtherLayers) {
  VideoStreamRewriter rewriter;
  rtp::Vp8Descriptor d;
  VideoStreamRewriter::Packet delta{1, 100, 9000, 0, false, &d};
  EXPECT_FALSE(rewriter.forward(delta)) << "no key frame yet";
  rewriter.switchTo(2);
  VideoStreamRewriter::Packet key{1, 101, 12000, 33333, true, &d};
  EXPECT_FALSE(rewriter.forward(key)) << "a key frame, but of another layer";
  key.source = 2;
  ASSERT_TRUE(rewriter.forward(key));
  EXPECT_EQ(rewriter.current(), 2u);
  EXPECT_FALSE(rewriter.switching());
  EXPECT_FALSE(rewriter.forward(delta)) << "layer 1 is not what this subscriber gets";
  rewriter.switchTo(1);
  EXPECT_TRUE(rewriter.switching());
  VideoStreamRewriter::Packet more{2, 102, 12000, 40000, false, &d};
  EXPECT_TRUE(rewriter.forward(more)) << "the current layer goes on until the target's key frame";
}

}  // namespace parley::sfu
