// The SFU's per-stream state machines: missing packets, retransmission, receive
// statistics, consumer sequence numbering, key frame pacing and transport feedback.
#include <gtest/gtest.h>

#include <vector>

#include "rtp/Rtcp.h"
#include "rtp/TransportFeedback.h"
#include "sfu/Consumer.h"
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

Producer makeVideoProducer() {
  return Producer(ProducerDescription{"p", "owner", "1", MediaKind::Video, TrackSource::Camera, 1000, 2000, 96, 97,
                                      {"VP8", 90000, 1, "", 96, 97}});
}

std::vector<std::uint8_t> vp8Packet(std::uint16_t seq, bool key, std::uint32_t ssrc = 1000, std::uint8_t pt = 96) {
  std::vector<std::uint8_t> p = {0x80, pt, static_cast<std::uint8_t>(seq >> 8), static_cast<std::uint8_t>(seq), 0, 0, 0, 0,
                                 static_cast<std::uint8_t>(ssrc >> 24), static_cast<std::uint8_t>(ssrc >> 16),
                                 static_cast<std::uint8_t>(ssrc >> 8), static_cast<std::uint8_t>(ssrc)};
  p.push_back(0x10);
  p.push_back(key ? 0x00 : 0x01);
  p.push_back(0x9d);
  return p;
}

TEST(Consumer, StartsOnAKeyFrameWithItsOwnContinuousSequence) {
  Producer producer = makeVideoProducer();
  Consumer consumer(producer, nullptr, "0", 5, 6);
  std::uint16_t out = 0;
  auto delta = vp8Packet(500, false);
  rtp::RtpPacket packet;
  packet.parse(delta.data(), delta.size());
  EXPECT_FALSE(consumer.admit(packet, false, out)) << "a delta frame cannot start a stream";
  auto key = vp8Packet(501, true);
  packet.parse(key.data(), key.size());
  ASSERT_TRUE(consumer.admit(packet, true, out));
  const std::uint16_t first = out;
  auto next = vp8Packet(503, false);
  packet.parse(next.data(), next.size());
  ASSERT_TRUE(consumer.admit(packet, false, out));
  EXPECT_EQ(static_cast<std::uint16_t>(out - first), 2) << "gaps are preserved, so NACKs still line up";
  std::uint16_t in = 0;
  ASSERT_TRUE(consumer.mapNackedSequence(static_cast<std::uint16_t>(first + 1), in));
  EXPECT_EQ(in, 502);
  EXPECT_FALSE(consumer.mapNackedSequence(static_cast<std::uint16_t>(first - 5), in)) << "before this consumer";
}

TEST(Producer, MergesKeyFrameRequestsToOneEvery500Ms) {
  Producer producer = makeVideoProducer();
  EXPECT_FALSE(producer.takeKeyFrameRequest(1000000));
  producer.requestKeyFrame();
  producer.requestKeyFrame();
  EXPECT_TRUE(producer.takeKeyFrameRequest(1000000));
  EXPECT_FALSE(producer.takeKeyFrameRequest(1000001));
  producer.requestKeyFrame();
  EXPECT_FALSE(producer.takeKeyFrameRequest(1400000)) << "within 500 ms: held back";
  EXPECT_TRUE(producer.takeKeyFrameRequest(1500000)) << "then sent, once";
  EXPECT_FALSE(producer.takeKeyFrameRequest(2100000));
}

TEST(Producer, UnwrapsRetransmissions) {
  Producer producer = makeVideoProducer();
  // RTX: its own SSRC and payload type, the original sequence number first in the payload.
  std::vector<std::uint8_t> rtx = {0x80, 97, 0, 9, 0, 0, 0, 0, 0, 0, 0x07, 0xD0, 0x01, 0xF4, 0x10, 0x00, 0x9d};
  rtp::RtpPacket packet;
  ASSERT_TRUE(packet.parse(rtx.data(), rtx.size()));
  ASSERT_TRUE(producer.unwrapRtx(packet));
  EXPECT_EQ(packet.sequenceNumber(), 500);
  EXPECT_EQ(packet.ssrc(), 1000u);
  EXPECT_EQ(packet.payloadType(), 96);
  EXPECT_EQ(packet.payload().size(), 3u);
  ASSERT_TRUE(producer.onRtp(packet, 0));
  std::size_t length = 0;
  EXPECT_NE(producer.buffer().find(500, 0, length), nullptr);
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
