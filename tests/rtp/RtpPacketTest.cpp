#include "rtp/RtpPacket.h"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/Rtcp.h"
#include "rtp/TransportFeedback.h"

namespace parley::rtp {

TEST(RtpPacket, ParsesHeaderExtensionsAndPadding) {
  std::vector<std::uint8_t> p = {0xB0, 0xE0, 0x12, 0x34, 0x00, 0x00, 0x10, 0x00, 0xAA, 0xBB, 0xCC, 0xDD,
                                 0xBE, 0xDE, 0x00, 0x02,  // one-byte extensions, 2 words
                                 0x10, 0x85,              // id 1, one byte: audio level
                                 0x22, 0x01, 0x02, 0x03,  // id 2, three bytes
                                 0x00, 0x00,              // padding
                                 0x01, 0x02, 0x03, 0x00, 0x00, 0x03};  // payload 3 bytes, padding 3
  RtpPacket packet;
  ASSERT_TRUE(packet.parse(p.data(), p.size()));
  EXPECT_TRUE(packet.marker());
  EXPECT_EQ(packet.payloadType(), 0x60);
  EXPECT_EQ(packet.sequenceNumber(), 0x1234);
  EXPECT_EQ(packet.ssrc(), 0xAABBCCDDu);
  EXPECT_EQ(packet.payload().size(), 3u);
  EXPECT_EQ(packet.paddingSize(), 3u);
  ASSERT_EQ(packet.extension(1).size(), 1u);
  EXPECT_EQ(packet.extension(1)[0], 0x85);
  ASSERT_EQ(packet.extension(2).size(), 3u);
  EXPECT_EQ(packet.extension(2)[2], 0x03);
  EXPECT_TRUE(packet.extension(3).empty());
  packet.setSequenceNumber(7);
  packet.setSsrc(9);
  packet.setPayloadType(111);
  EXPECT_EQ(packet.sequenceNumber(), 7);
  EXPECT_EQ(packet.ssrc(), 9u);
  EXPECT_EQ(packet.payloadType(), 111);
  EXPECT_TRUE(packet.marker());
}

TEST(RtpPacket, RejectsWhatDoesNotFit) {
  RtpPacket packet;
  std::vector<std::uint8_t> tooShort(11, 0x80);
  EXPECT_FALSE(packet.parse(tooShort.data(), tooShort.size()));
  std::vector<std::uint8_t> csrc = {0x8F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // 15 CSRCs announced
  EXPECT_FALSE(packet.parse(csrc.data(), csrc.size()));
  std::vector<std::uint8_t> ext = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x09};
  EXPECT_FALSE(packet.parse(ext.data(), ext.size()));
  std::vector<std::uint8_t> padding = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x20};
  EXPECT_FALSE(packet.parse(padding.data(), padding.size()));
  std::vector<std::uint8_t> version1 = {0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(packet.parse(version1.data(), version1.size()));
}

TEST(RtpPacket, WritesOneByteExtensions) {
  std::uint8_t out[32];
  const std::uint8_t abs[3] = {1, 2, 3};
  const std::uint8_t orientation[1] = {4};
  const ExtensionElement elements[] = {{2, abs, 3}, {4, orientation, 1}};
  const std::size_t n = writeOneByteExtensions(out, elements);
  EXPECT_EQ(n % 4, 0u);
  std::vector<std::uint8_t> packet = {0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  packet.insert(packet.end(), out, out + n);
  packet.push_back(0xEE);
  RtpPacket parsed;
  ASSERT_TRUE(parsed.parse(packet.data(), packet.size()));
  ASSERT_EQ(parsed.extension(2).size(), 3u);
  EXPECT_EQ(parsed.extension(2)[1], 2);
  ASSERT_EQ(parsed.extension(4).size(), 1u);
  EXPECT_EQ(parsed.payload().size(), 1u);
}

TEST(RtpPacket, DetectsKeyFrames) {
  // VP8: descriptor with S=1, partition 0, then a frame header with P=0.
  const std::uint8_t vp8Key[] = {0x10, 0x00, 0x9d, 0x01, 0x2a};
  const std::uint8_t vp8Delta[] = {0x10, 0x01};
  const std::uint8_t vp8Extended[] = {0x90, 0x80, 0x81, 0x23, 0x00};  // X, 15-bit picture id
  EXPECT_TRUE(isVp8KeyFrame(vp8Key));
  EXPECT_FALSE(isVp8KeyFrame(vp8Delta));
  EXPECT_TRUE(isVp8KeyFrame(vp8Extended));
  const std::uint8_t vp8Continuation[] = {0x00, 0x00};
  EXPECT_FALSE(isVp8KeyFrame(vp8Continuation));
  // H.264: IDR, STAP-A with SPS, FU-A start of IDR, and a non-IDR slice.
  const std::uint8_t idr[] = {0x65, 0x88};
  const std::uint8_t stap[] = {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce};
  const std::uint8_t fuaStart[] = {0x7c, 0x85, 0x00};
  const std::uint8_t slice[] = {0x41, 0x9a};
  EXPECT_TRUE(isH264KeyFrame(idr));
  EXPECT_TRUE(isH264KeyFrame(stap));
  EXPECT_TRUE(isH264KeyFrame(fuaStart));
  EXPECT_FALSE(isH264KeyFrame(slice));
}

TEST(Rtcp, ReportsRoundTrip) {
  std::uint8_t buffer[512];
  ReportBlock block{0x1234, 25, -3, 70000, 12, 0xABCD, 655};
  std::size_t n = writeReceiverReport(buffer, 99, {&block, 1});
  SenderInfo sr{77, 0x0102030405060708ull, 90000, 10, 1000};
  n += writeSenderReport(buffer + n, sr);
  n += writePli(buffer + n, 99, 0x1234);
  n += writeFir(buffer + n, 99, 0x5678, 3);
  const std::uint16_t lost[] = {100, 101, 105, 116, 117, 200};
  n += writeNack(buffer + n, 99, 0x1234, lost);
  std::vector<RtcpPart> parts;
  ASSERT_TRUE(forEachRtcpPart({buffer, n}, [&](const RtcpPart& p) { parts.push_back(p); }));
  ASSERT_EQ(parts.size(), 5u);
  std::uint32_t sender = 0;
  std::vector<ReportBlock> blocks;
  ASSERT_TRUE(readReceiverReport(parts[0], sender, blocks));
  EXPECT_EQ(sender, 99u);
  EXPECT_EQ(blocks.at(0).cumulativeLost, -3);
  EXPECT_EQ(blocks.at(0).highestSeq, 70000u);
  SenderInfo readSr;
  ASSERT_TRUE(readSenderReport(parts[1], readSr));
  EXPECT_EQ(readSr.ntp, sr.ntp);
  EXPECT_EQ(readSr.octetCount, 1000u);
  std::uint32_t media = 0;
  ASSERT_TRUE(readFeedbackSsrcs(parts[2], sender, media));
  EXPECT_EQ(media, 0x1234u);
  std::vector<std::uint32_t> firs;
  ASSERT_TRUE(readFir(parts[3], firs));
  EXPECT_EQ(firs, std::vector<std::uint32_t>{0x5678});
  std::vector<std::uint16_t> nacked;
  ASSERT_TRUE(readNack(parts[4], nacked));
  EXPECT_EQ(nacked, std::vector<std::uint16_t>(std::begin(lost), std::end(lost)));
}

TEST(Rtcp, RejectsBrokenCompounds) {
  std::uint8_t buffer[64] = {};
  const std::size_t n = writePli(buffer, 1, 2);
  buffer[3] = 9;  // length beyond the buffer
  EXPECT_FALSE(forEachRtcpPart({buffer, n}, [](const RtcpPart&) {}));
  std::uint8_t version0[8] = {0x00, 200, 0, 1};
  EXPECT_FALSE(forEachRtcpPart(version0, [](const RtcpPart&) {}));
  EXPECT_FALSE(forEachRtcpPart({buffer, 2}, [](const RtcpPart&) {}));
}

TEST(TransportFeedback, RoundTripsArrivalsAndLosses) {
  std::vector<PacketArrival> arrivals;
  std::int64_t t = 1'000'000'000;
  for (int i = 0; i < 300; ++i) {
    const std::uint16_t seq = static_cast<std::uint16_t>(65500 + i);  // wraps
    if (i % 17 == 5 || (i > 100 && i < 130)) {
      arrivals.push_back({seq, std::nullopt});
      continue;
    }
    t += (i % 50 == 0) ? 90'000 : 1'000 + (i % 7) * 250;  // some large gaps
    arrivals.push_back({seq, t});
  }
  std::uint8_t buffer[kMaxTransportFeedbackBytes];
  const std::size_t n = writeTransportFeedback(buffer, sizeof buffer, 1, 2, 7, arrivals);
  ASSERT_GT(n, 20u);
  EXPECT_EQ(n % 4, 0u);
  const auto fb = readTransportFeedback({buffer, n});
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->feedbackCount, 7);
  EXPECT_EQ(fb->baseSequence, 65500);
  ASSERT_EQ(fb->packets.size(), arrivals.size());
  const std::int64_t offset = *arrivals[0].arrivalMicros - *fb->packets[0].arrivalMicros;
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    EXPECT_EQ(fb->packets[i].sequence, arrivals[i].sequence);
    ASSERT_EQ(fb->packets[i].arrivalMicros.has_value(), arrivals[i].arrivalMicros.has_value()) << i;
    if (arrivals[i].arrivalMicros) {
      // 250 µs resolution, errors do not accumulate.
      EXPECT_NEAR(static_cast<double>(*fb->packets[i].arrivalMicros + offset),
                  static_cast<double>(*arrivals[i].arrivalMicros), 250.0) << i;
    }
  }
}

}  // namespace parley::rtp
