// The VP8 payload descriptor (RFC 7741 section 4.2): every field, both PictureID sizes,
// truncated input, and rewrites that keep the descriptor's size.
#include "rtp/Vp8Descriptor.h"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/RtpPacket.h"

namespace parley::rtp {

TEST(Vp8Descriptor, ReadsEveryFieldOfAFullDescriptor) {
  // X S PID=0 | I L T K | M + 15-bit PictureID 0x1234 | TL0PICIDX 7 | TID 2, Y, KEYIDX 5 | VP8 key frame header
  const std::vector<std::uint8_t> payload = {0x90, 0xF0, 0x80 | 0x12, 0x34, 7, (2 << 6) | 0x20 | 5, 0x10, 0x02};
  const auto d = parseVp8Descriptor(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->startOfPartition);
  EXPECT_EQ(d->partitionIndex, 0);
  EXPECT_EQ(d->pictureId, 0x1234);
  EXPECT_TRUE(d->longPictureId);
  EXPECT_EQ(d->tl0PicIdx, 7);
  EXPECT_EQ(d->temporalLayer, 2);
  EXPECT_TRUE(d->layerSync);
  EXPECT_EQ(d->keyIndex, 5);
  EXPECT_EQ(d->size, 6u);
  EXPECT_TRUE(d->keyFrame);  // P bit 0
  EXPECT_TRUE(isVp8KeyFrame(payload));
}

TEST(Vp8Descriptor, ReadsTheShortestForms) {
  // One byte, not the start of a partition: no key frame, nothing else.
  const std::vector<std::uint8_t> continuation = {0x00, 0xAA};
  const auto c = parseVp8Descriptor(continuation);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->size, 1u);
  EXPECT_FALSE(c->pictureId);
  EXPECT_FALSE(c->keyFrame);
  // A 7-bit PictureID, an inter frame (P bit 1), a non-reference frame.
  const std::vector<std::uint8_t> inter = {0xB0, 0x80, 0x45, 0x01};
  const auto i = parseVp8Descriptor(inter);
  ASSERT_TRUE(i);
  EXPECT_EQ(i->pictureId, 0x45);
  EXPECT_FALSE(i->longPictureId);
  EXPECT_TRUE(i->nonReference);
  EXPECT_FALSE(i->keyFrame);
  EXPECT_FALSE(i->temporalLayer);
}

TEST(Vp8Descriptor, RefusesEveryTruncation) {
  const std::vector<std::uint8_t> full = {0x90, 0xF0, 0x80 | 0x12, 0x34, 7, 0x85, 0x10};
  for (std::size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(parseVp8Descriptor(std::span(full.data(), n))) << n << " bytes";
  }
  EXPECT_TRUE(parseVp8Descriptor(full));
}

TEST(Vp8Descriptor, RewritesPictureIdAndTl0InPlaceKeepingTheirSize) {
  std::vector<std::uint8_t> longId = {0x90, 0xC0, 0x80 | 0x12, 0x34, 7, 0x10};
  auto d = *parseVp8Descriptor(longId);
  rewriteVp8Descriptor(longId, d, 0x7FFF, 200);
  EXPECT_EQ(parseVp8Descriptor(longId)->pictureId, 0x7FFF);
  EXPECT_EQ(parseVp8Descriptor(longId)->tl0PicIdx, 200);
  EXPECT_EQ(parseVp8Descriptor(longId)->size, d.size);

  std::vector<std::uint8_t> shortId = {0x90, 0x80, 0x05, 0x10};
  d = *parseVp8Descriptor(shortId);
  rewriteVp8Descriptor(shortId, d, 130, 9);  // wraps at 128; no TL0PICIDX to write
  EXPECT_EQ(parseVp8Descriptor(shortId)->pictureId, 2);
  EXPECT_FALSE(parseVp8Descriptor(shortId)->tl0PicIdx);
  EXPECT_EQ(shortId.size(), 4u);
  EXPECT_EQ(shortId[3], 0x10) << "the VP8 payload is untouched";
}

}  // namespace parley::rtp
