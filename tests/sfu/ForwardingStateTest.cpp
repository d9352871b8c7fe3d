// The SFU's per-stream state machines: missing packets, retransmission, receive
// statistics, consumer numbering and layer choice, key frame pacing and transport feedback.
#include <gtest/gtest.h>

#include <vector>

#include "rtp/Rtcp.h"
#include "rtp/TransportFeedback.h"
#include "rtp/Vp8Descriptor.h"
#include "sfu/Consumer.h"
#include "sfu/LayerSelection.h"
#include "sfu/NackGenerator.h"
#include "sfu/Producer.h"
#include "sfu/ReceiveStatistics.h"
#include "sfu/RetransmissionBuffer.h"
#include "sfu/TwccRecorder.h"

namespace parley::sfu {

TEST(NackGenerator, AsksForGapsAgainUntilTheyArriveOrRetriesRunOut) {
  NackGenerator nacks;
  std::int64_t now = 0;
  nacks.onPacket(65534, now);
  nacks.onPacket(2, now);  // 65535, 0, 1 missing across the wrap
  std::vector<std::uint16_t> out;
  EXPECT_FALSE(nacks.collect(now, out));
  EXPECT_TRUE(out.empty()) << "the first NACK waits for reordering";
  now += 30000;
  nacks.collect(now, out);
  EXPECT_EQ(out, (std::vector<std::uint16_t>{65535, 0, 1}));
  nacks.onPacket(0, now);  // retransmission arrived
  out.clear();
  now += NackGenerator::kRetryMicros;
  nacks.collect(now, out);
  EXPECT_EQ(out, (std::vector<std::uint16_t>{65535, 1}));
  bool gaveUp = false;
  for (int i = 0; i < NackGenerator::kMaxRetries + 1; ++i) {
    now += NackGenerator::kRetryMicros;
    out.clear();
    gaveUp = nacks.collect(now, out) || gaveUp;
  }
  EXPECT_TRUE(gaveUp);
  EXPECT_EQ(nacks.missingCount(), 0u);
}

TEST(NackGenerator, AHugeGapAsksForAKeyFrameInstead) {
  NackGenerator nacks;
  nacks.onPacket(100, 0);
  EXPECT_TRUE(nacks.onPacket(100 + NackGenerator::kMaxMissing + 10, 0));
  EXPECT_EQ(nacks.missingCount(), 0u);
}

TEST(RetransmissionBuffer, KeepsRecentPacketsBySequence) {
  RetransmissionBuffer buffer(16, 1000000);
  std::uint8_t packet[100] = {1, 2, 3};
  buffer.store(10, packet, 100, 0);
  std::size_t length = 0;
  ASSERT_NE(buffer.find(10, 500000, length), nullptr);
  EXPECT_EQ(length, 100u);
  EXPECT_EQ(buffer.find(10, 1500000, length), nullptr) << "too old";
  EXPECT_EQ(buffer.find(11, 0, length), nullptr);
  buffer.store(26, packet, 50, 0);  // same slot as 10
  EXPECT_EQ(buffer.find(10, 0, length), nullptr);
  std::uint8_t huge[2000] = {};
  buffer.store(12, huge, sizeof huge, 0);
  EXPECT_EQ(buffer.find(12, 0, length), nullptr) << "larger than a slot: not stored";
}

TEST(ReceiveStatistics, ReportsLossAndSequence) {
  ReceiveStatistics stats(90000);
  std::int64_t t = 0;
  for (std::uint16_t seq = 65530; seq != 10; ++seq) {
    if (seq == 2 || seq == 3) continue;  // two lost
    stats.onPacket(seq, static_cast<std::uint32_t>(seq) * 3000, t += 33333);
  }
  const auto block = stats.makeReportBlock(42, t);
  EXPECT_EQ(block.ssrc, 42u);
  EXPECT_EQ(block.cumulativeLost, 2);
  EXPECT_EQ(block.highestSeq, 65536u + 9);
  EXPECT_EQ(block.fractionLost, 2 * 256 / 16);
  const auto next = stats.makeReportBlock(42, t);
  EXPECT_EQ(next.fractionLost, 0) << "the fraction is per interval";
}

Producer makeVideoProducer(std::vector<LayerDescription> layers = {{"", 1000, 2000}}) {
  return Producer(ProducerDescription{"p", "owner", "1", MediaKind::Video, TrackSource::Camera, std::move(layers), 96, 97,
                                      {"VP8", 90000, 1, "", 96, 97}});
}

// A VP8 packet with a 15-bit PictureID; a key frame's first packet carries its picture size.
std::vector<std::uint8_t> vp8Packet(std::uint16_t seq, bool key, std::uint32_t ssrc = 1000, std::uint8_t pt = 96,
                                    std::uint16_t pictureId = 0, std::uint16_t height = 720) {
  std::vector<std::uint8_t> p = {0x80, pt, static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq), 0, 0, 0, 0,
                                 static_cast<std::uint8_t>(ssrc >> 24), static_cast<std::uint8_t>(ssrc >> 16),
                                 static_cast<std::uint8_t>(ssrc >> 8), static_cast<std::uint8_t>(ssrc)};
  p.push_back(0x90);  // X, S
  p.push_back(0x80);  // I
  p.push_back(static_cast<std::uint8_t>(0x80 | (pictureId >> 8)));
  p.push_back(static_cast<std::uint8_t>(pictureId));
  const std::uint16_t width = static_cast<std::uint16_t>(height * 16 / 9);
  for (std::uint8_t b : {std::uint8_t(key ? 0x00 : 0x01), std::uint8_t(0), std::uint8_t(0), std::uint8_t(0x9d),
                         std::uint8_t(0x01), std::uint8_t(0x2a), std::uint8_t(width), std::uint8_t(width >> 8),
                         std::uint8_t(height), std::uint8_t(height >> 8)}) {
    p.push_back(b);
  }
  return p;
}

struct Admitted {
  bool sent = false;
  std::uint16_t sequence = 0;
  std::uint16_t pictureId = 0;
};

Admitted admit(Consumer& consumer, std::vector<std::uint8_t> bytes, int layer, std::int64_t now = 0) {
  rtp::RtpPacket packet;
  if (!packet.parse(bytes.data(), bytes.size())) return {};
  const auto vp8 = rtp::parseVp8Descriptor(packet.payload());
  const auto out = consumer.admit(packet, layer, vp8 && vp8->keyFrame, vp8 ? &*vp8 : nullptr, now);
  if (!out) return {};
  return {true, out->sequence, out->pictureId};
}

TEST(Consumer, StartsOnAKeyFrameWithItsOwnContinuousSequence) {
  Producer producer = makeVideoProducer();
  Consumer consumer(producer, nullptr, "0", 5, 6);
  EXPECT_FALSE(admit(consumer, vp8Packet(500, false), 0).sent) << "a delta frame cannot start a stream";
  const auto key = admit(consumer, vp8Packet(501, true), 0);
  ASSERT_TRUE(key.sent);
  const auto next = admit(consumer, vp8Packet(503, false), 0);
  ASSERT_TRUE(next.sent);
  EXPECT_EQ(static_cast<std::uint16_t>(next.sequence - key.sequence), 2) << "gaps are preserved, so NACKs still line up";
  const auto sent = consumer.sentPacket(next.sequence);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->inSequence, 503);
  EXPECT_EQ(sent->layer, 0);
  EXPECT_FALSE(consumer.sentPacket(static_cast<std::uint16_t>(key.sequence + 1))) << "never sent: lost upstream";
  EXPECT_FALSE(consumer.sentPacket(static_cast<std::uint16_t>(key.sequence - 5))) << "before this consumer";
}

// Three layers flowing (180p, 360p, 720p, announced highest first as Firefox does): the
// subscriber's displayed height picks one, a switch waits for that layer's key frame and
// continues the numbering, and a track not shown sends nothing until it is shown again.
TEST(Consumer, SendsTheLayerThatFitsWhatIsShownSwitchingOnKeyFrames) {
  Producer producer = makeVideoProducer({{"f", 30, 0}, {"h", 20, 0}, {"q", 10, 0}});
  Consumer consumer(producer, nullptr, "0", 5, 6);
  std::int64_t now = 1000000;
  std::uint16_t seq = 100;
  std::uint16_t picture = 7;
  // Every layer sends a key frame: sizes are learned, and the layers flow.
  const std::uint16_t heights[] = {720, 360, 180};
  const auto keyFrames = [&] {
    for (int l = 0; l < 3; ++l) {
      auto bytes = vp8Packet(static_cast<std::uint16_t>(seq + 1000 * l), true, 30 - 10 * l, 96, picture, heights[l]);
      rtp::RtpPacket packet;
      ASSERT_TRUE(packet.parse(bytes.data(), bytes.size()));
      ASSERT_TRUE(producer.onRtp(packet, l, now));
    }
  };
  keyFrames();
  EXPECT_EQ(producer.layer(2).height, 180);

  consumer.setMaxHeight(200);
  EXPECT_EQ(consumer.selectLayer(now), 2) << "a 200-pixel tile: the 180p layer, waiting for its key frame";
  EXPECT_FALSE(admit(consumer, vp8Packet(seq, true, 30, 96, picture, 720), 0, now).sent) << "not the chosen layer";
  const auto first = admit(consumer, vp8Packet(static_cast<std::uint16_t>(seq + 2000), true, 10, 96, picture, 180), 2, now);
  ASSERT_TRUE(first.sent);
  EXPECT_EQ(consumer.currentLayer(), 2);
  EXPECT_EQ(consumer.selectLayer(now), kNoLayer) << "settled";

  consumer.setMaxHeight(kAnyHeight);
  EXPECT_EQ(consumer.selectLayer(now), 0) << "no wish: the largest layer";
  ++seq;
  ++picture;
  const auto delta = admit(consumer, vp8Packet(static_cast<std::uint16_t>(seq + 2000), false, 10, 96, picture), 2, now);
  EXPECT_TRUE(delta.sent) << "the old layer goes on until the new one's key frame";
  EXPECT_FALSE(admit(consumer, vp8Packet(seq, false, 30, 96, picture), 0, now).sent);
  ++seq;
  ++picture;
  now += 33000;
  const auto switched = admit(consumer, vp8Packet(seq, true, 30, 96, 900, 720), 0, now);
  ASSERT_TRUE(switched.sent);
  EXPECT_EQ(static_cast<std::uint16_t>(switched.sequence - delta.sequence), 1) << "no gap for the decoder";
  EXPECT_EQ(switched.pictureId, static_cast<std::uint16_t>(delta.pictureId + 1)) << "PictureIDs follow on";

  consumer.setMaxHeight(0);
  EXPECT_EQ(consumer.selectLayer(now), kNoLayer);
  EXPECT_FALSE(admit(consumer, vp8Packet(static_cast<std::uint16_t>(seq + 1), true, 30, 96, 901), 0, now).sent)
      << "not shown: nothing sent, key frames neither";
  consumer.setMaxHeight(720);
  EXPECT_EQ(consumer.selectLayer(now), 0) << "shown again: the 720p layer's key frame is awaited";
  EXPECT_FALSE(admit(consumer, vp8Packet(static_cast<std::uint16_t>(seq + 2), false, 30, 96, 902), 0, now).sent);
  const auto back = admit(consumer, vp8Packet(static_cast<std::uint16_t>(seq + 3), true, 30, 96, 903, 720), 0, now);
  ASSERT_TRUE(back.sent);
  EXPECT_EQ(static_cast<std::uint16_t>(back.sequence - switched.sequence), 1) << "the numbering continues after a pause";

  // The 720p layer stops (the publisher's uplink is short): the largest still flowing.
  now += 2000000;
  for (int l = 1; l < 3; ++l) {
    auto bytes = vp8Packet(static_cast<std::uint16_t>(seq + 1010 * l), false, 30 - 10 * l, 96, picture, heights[l]);
    rtp::RtpPacket packet;
    ASSERT_TRUE(packet.parse(bytes.data(), bytes.size()));
    ASSERT_TRUE(producer.onRtp(packet, l, now));
  }
  EXPECT_EQ(consumer.selectLayer(now), 1);
}

// A VP8 packet of an L1T3 stream (one packet a frame, so each has the marker bit): PictureID, TL0PICIDX, TID and the
// layer sync bit.
std::vector<std::uint8_t> temporalPacket(std::uint16_t seq, int frame, int tid, bool sync = false) {
  auto p = vp8Packet(seq, frame == 0, 1000, 96, static_cast<std::uint16_t>(100 + frame));
  p[1] |= 0x80;  // the marker: the frame's last packet
  p[13] = 0xE0;  // I, L, T
  const std::uint8_t tl0 = static_cast<std::uint8_t>(frame / 4);
  p.insert(p.begin() + 16, {tl0, static_cast<std::uint8_t>(tid << 6 | (sync ? 0x20 : 0))});
  return p;
}

// L1T3 (TIDs 0 2 1 2 per four frames): with TID 0 alone a third of the frames go out, and
// the subscriber still sees sequence numbers and PictureIDs without a gap; raising the
// layer waits for a frame that needs nothing above TID 0.
TEST(Consumer, LeavesOutUpperTemporalLayersWithoutGaps) {
  Producer producer = makeVideoProducer();
  Consumer consumer(producer, nullptr, "0", 5, 6);
  const int pattern[] = {0, 2, 1, 2};
  std::vector<int> sentFrames;
  std::vector<Admitted> sent;
  const auto frame = [&](int f, bool sync = false) {
    const auto out = admit(consumer, temporalPacket(static_cast<std::uint16_t>(7000 + f), f, pattern[f % 4], sync), 0);
    if (!out.sent) return;
    sentFrames.push_back(f);
    sent.push_back(out);
  };
  for (int f = 0; f < 8; ++f) frame(f);
  consumer.setTemporalLayer(0);
  for (int f = 8; f < 13; ++f) frame(f);
  consumer.setTemporalLayer(kAllTemporal);
  for (int f = 13; f < 18; ++f) frame(f);
  EXPECT_EQ(sentFrames, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17}))
      << "TID 0 only from frame 8; back to all at the next TID 0 frame (16), not at 13-15";
  for (std::size_t i = 1; i < sent.size(); ++i) {
    EXPECT_EQ(static_cast<std::uint16_t>(sent[i].sequence - sent[i - 1].sequence), 1) << "frame " << sentFrames[i];
    EXPECT_EQ((sent[i].pictureId - sent[i - 1].pictureId) & 0x7fff, 1) << "frame " << sentFrames[i];
  }
  // Down to TID 1, then up again at a TID 2 frame that carries the layer sync bit.
  consumer.setTemporalLayer(1);
  frame(18);
  frame(19);
  consumer.setTemporalLayer(kAllTemporal);
  frame(21);
  frame(23, true);
  EXPECT_EQ(std::vector<int>(sentFrames.begin() + 12, sentFrames.end()), (std::vector<int>{18, 23}))
      << "19 (TID 2) left out; 21 (TID 2, no sync) waits; 23 (sync) goes";
}

// The producer measures each layer's bitrate up to each temporal layer, for the allocation.
TEST(Producer, MeasuresTheBitrateUpToEachTemporalLayer) {
  Producer producer = makeVideoProducer();
  const int pattern[] = {0, 2, 1, 2};
  std::int64_t now = 1'000'000;
  ProducerLayer& layer = producer.layer(0);
  for (int f = 0; f < 90; ++f, now += 33'333) {  // three seconds at 30 fps
    auto bytes = temporalPacket(static_cast<std::uint16_t>(f), f, pattern[f % 4]);
    rtp::RtpPacket packet;
    ASSERT_TRUE(packet.parse(bytes.data(), bytes.size()));
    ASSERT_TRUE(producer.onRtp(packet, 0, now));
    layer.updateBitrate(now);
  }
  EXPECT_EQ(layer.temporalLayers, 3);
  EXPECT_GT(layer.temporalBps[0], 0);
  // Equal packets: TID 0 is a quarter of them, TIDs 0-1 half, all of them the whole layer.
  EXPECT_NEAR(layer.temporalBps[0] / layer.bitrateBps, 0.25, 0.05);
  EXPECT_NEAR(layer.temporalBps[1] / layer.bitrateBps, 0.5, 0.05);
  EXPECT_NEAR(layer.temporalBps[2] / layer.bitrateBps, 1.0, 0.01);
}

TEST(LayerSelection, FitsTheDisplayedHeightWithWhatFlows) {
  const LayerView three[] = {{true, 180}, {true, 360}, {true, 720}};
  EXPECT_EQ(chooseLayer(three, kAnyHeight, kNoLayer), 2);
  EXPECT_EQ(chooseLayer(three, 0, 2), kNoLayer) << "not shown";
  EXPECT_EQ(chooseLayer(three, 100, 2), 0);
  EXPECT_EQ(chooseLayer(three, 220, 2), 0) << "180 is 80% of 225: enough";
  EXPECT_EQ(chooseLayer(three, 240, 2), 1);
  EXPECT_EQ(chooseLayer(three, 1080, 0), 2) << "nothing is that big: the largest";
  const LayerView upperStopped[] = {{true, 180}, {true, 360}, {false, 720}};
  EXPECT_EQ(chooseLayer(upperStopped, 720, 2), 1);
  const LayerView noneFlowing[] = {{false, 180}, {false, 360}, {false, 720}};
  EXPECT_EQ(chooseLayer(noneFlowing, 720, 1), 1) << "nothing to switch to: keep";
  const LayerView unknownSizes[] = {{true, 0}, {true, 0}, {true, 0}};
  EXPECT_EQ(chooseLayer(unknownSizes, 180, kNoLayer), 2) << "sizes unknown (H.264): by offer order, the last";
  const LayerView reversed[] = {{true, 720}, {true, 360}, {true, 180}};
  EXPECT_EQ(chooseLayer(reversed, 300, kNoLayer), 1) << "sizes known: offer order does not matter";
  EXPECT_EQ(chooseLayer(reversed, kAnyHeight, kNoLayer), 0);
}

TEST(Producer, MergesKeyFrameRequestsToOneEvery500MsPerLayer) {
  Producer producer = makeVideoProducer({{"q", 10, 0}, {"f", 30, 0}});
  EXPECT_FALSE(producer.takeKeyFrameRequest(0, 1000000));
  producer.requestKeyFrame(0);
  producer.requestKeyFrame(0);
  EXPECT_TRUE(producer.takeKeyFrameRequest(0, 1000000));
  EXPECT_FALSE(producer.takeKeyFrameRequest(0, 1000001));
  EXPECT_FALSE(producer.takeKeyFrameRequest(1, 1000001)) << "layers are asked separately";
  producer.requestKeyFrame(0);
  EXPECT_FALSE(producer.takeKeyFrameRequest(0, 1400000)) << "within 500 ms: held back";
  EXPECT_TRUE(producer.takeKeyFrameRequest(0, 1500000)) << "then sent, once";
  EXPECT_FALSE(producer.takeKeyFrameRequest(0, 2100000));
}

TEST(Producer, BindsARidLayerOnceAndFindsLayersBySsrc) {
  Producer producer = makeVideoProducer({{"q", 0, 0}, {"h", 0, 0}});
  EXPECT_EQ(producer.layerOfSsrc(0), -1);
  ASSERT_EQ(producer.unboundLayer("h"), 1);
  EXPECT_EQ(producer.unboundLayer("x"), -1);
  producer.bindSsrc(1, 77, false);
  producer.bindSsrc(1, 78, true);
  EXPECT_EQ(producer.layerOfSsrc(77), 1);
  EXPECT_EQ(producer.layerOfSsrc(78), 1);
  EXPECT_EQ(producer.layerOfSsrc(10), -1);
}

TEST(Producer, UnwrapsRetransmissions) {
  Producer producer = makeVideoProducer();
  // RTX: its own SSRC and payload type, the original sequence number first in the payload.
  std::vector<std::uint8_t> rtx = {0x80, 97, 0, 9, 0, 0, 0, 0, 0, 0, 0x07, 0xD0, 0x01, 0xF4, 0x10, 0x00, 0x9d};
  rtp::RtpPacket packet;
  ASSERT_TRUE(packet.parse(rtx.data(), rtx.size()));
  ASSERT_EQ(producer.layerOfSsrc(2000), 0);
  ASSERT_TRUE(producer.unwrapRtx(packet, 0));
  EXPECT_EQ(packet.sequenceNumber(), 500);
  EXPECT_EQ(packet.ssrc(), 1000u);
  EXPECT_EQ(packet.payloadType(), 96);
  EXPECT_EQ(packet.payload().size(), 3u);
  ASSERT_TRUE(producer.onRtp(packet, 0, 0));
  std::size_t length = 0;
  EXPECT_NE(producer.layer(0).buffer.find(500, 0, length), nullptr);
}

TEST(TwccRecorder, ReportsEachPacketOnce) {
  TwccRecorder recorder;
  for (int i = 0; i < 20; ++i) {
    if (i == 7) continue;
    recorder.onPacket(static_cast<std::uint16_t>(65530 + i), 1000000 + i * 1000);
  }
  std::uint8_t buffer[rtp::kMaxTransportFeedbackBytes];
  const std::size_t n = recorder.writeFeedback(buffer, sizeof buffer, 1, 2);
  const auto fb = rtp::readTransportFeedback({buffer, n});
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->baseSequence, 65530);
  ASSERT_EQ(fb->packets.size(), 20u);
  EXPECT_FALSE(fb->packets[7].arrivalMicros);
  EXPECT_EQ(recorder.writeFeedback(buffer, sizeof buffer, 1, 2), 0u) << "nothing new";
  recorder.onPacket(14, 2000000);
  const std::size_t m = recorder.writeFeedback(buffer, sizeof buffer, 1, 2);
  const auto second = rtp::readTransportFeedback({buffer, m});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->baseSequence, 14);
  EXPECT_EQ(second->feedbackCount, 1);
}

}  // namespace parley::sfu
