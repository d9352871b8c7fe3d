// Picture sizes from H.264 sequence parameter sets, as libx264 writes them (the vectors are
// its SPS NAL units for these sizes: `ffmpeg -f lavfi -i testsrc2=size=WxH -frames 1 -c:v
// libx264 -f h264`, the NAL after the first start code of type 7).
#include "rtp/H264Sps.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::rtp {

namespace {
std::vector<std::uint8_t> hex(const std::string& text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  return out;
}
const char* kBaseline640x360 = "6742c01ed900a02ff97011000003000100000300320f162e48";
const char* kBaseline320x180 = "6742c00cd901419f9f011000000300100000030320f142a480";
const char* kBaseline1280x720 = "6742c01fd9005005bb011000000300100000030320f1832480";
const char* kHigh640x360 = "6764001eacd940a02ff97011000003000100000300320f162d96";

std::optional<H264PictureSize> sizeOf(const char* sps) {
  const auto nal = hex(sps);
  return h264PictureSize(nal);
}
}  // namespace

TEST(H264Sps, ReadsThePictureSizeWithCropping) {
  for (const auto& [sps, width, height] : std::vector<std::tuple<const char*, int, int>>{
           {kBaseline640x360, 640, 360}, {kBaseline320x180, 320, 180}, {kBaseline1280x720, 1280, 720},
           {kHigh640x360, 640, 360}}) {
    const auto size = sizeOf(sps);
    ASSERT_TRUE(size) << sps;
    EXPECT_EQ(size->width, width) << sps;
    EXPECT_EQ(size->height, height) << sps;
  }
}

TEST(H264Sps, FindsTheSpsInAStapA) {
  // STAP-A: header, then [size][SPS], [size][a PPS-like NAL].
  auto sps = hex(kBaseline640x360);
  std::vector<std::uint8_t> stap = {0x78, 0, static_cast<std::uint8_t>(sps.size())};
  stap.insert(stap.end(), sps.begin(), sps.end());
  stap.insert(stap.end(), {0, 4, 0x68, 0xce, 0x3c, 0x80});
  const auto size = h264PictureSize(stap);
  ASSERT_TRUE(size);
  EXPECT_EQ(size->height, 360);
}

TEST(H264Sps, RefusesWhatIsNotAWholeSps) {
  auto sps = hex(kBaseline640x360);
  for (std::size_t n = 0; n < 8; ++n) EXPECT_FALSE(h264PictureSize({sps.data(), n})) << n << " bytes";
  const std::vector<std::uint8_t> slice = {0x65, 0x88, 0x84, 0x00};  // an IDR slice, not an SPS
  EXPECT_FALSE(h264PictureSize(slice));
  std::vector<std::uint8_t> stap = {0x78, 0, 200, 0x67, 0x42};  // a size past the end
  EXPECT_FALSE(h264PictureSize(stap));
  std::vector<std::uint8_t> zeros(64, 0);
  zeros[0] = 0x67;
  EXPECT_FALSE(h264PictureSize(zeros)) << "Exp-Golomb codes longer than 31 bits";
}

}  // namespace parley::rtp
