#include "rtp/H264Sps.h"

#include <array>

namespace parley::rtp {

namespace {

constexpr std::uint8_t kSps = 7, kStapA = 24;
constexpr std::size_t kMaxSpsBytes = 256;  // real ones are 10 to 40 bytes

// Reads bits of an RBSP, most significant first; any read past the end sets failed().
class BitReader {
 public:
  explicit BitReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool failed() const { return failed_; }
  std::uint32_t bit() {
    if (position_ >= bytes_.size() * 8) {
      failed_ = true;
      return 0;
    }
    const std::uint32_t b = (bytes_[position_ / 8] >> (7 - position_ % 8)) & 1;
    ++position_;
    return b;
  }
  std::uint32_t bits(int n) {
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 1 | bit();
    return v;
  }
  // ue(v), 7.2; at most 31 leading zeros (larger values do not occur in an SPS).
  std::uint32_t ue() {
    int zeros = 0;
    while (bit() == 0) {
      if (failed_ || ++zeros > 31) {
        failed_ = true;
        return 0;
      }
    }
    return zeros == 0 ? 0 : (1u << zeros) - 1 + bits(zeros);
  }
  std::int32_t se() {
    const std::uint32_t k = ue();
    return (k & 1) ? static_cast<std::int32_t>((k + 1) / 2) : -static_cast<std::int32_t>(k / 2);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
  bool failed_ = false;
};

bool hasChromaFormat(std::uint32_t profile) {
  switch (profile) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128: case 138: case 139:
    case 134: case 135:
      return true;
    default:
      return false;
  }
}

// 7.3.2.1.1.1; false if a delta is out of its range (-128 to 127).
bool skipScalingList(BitReader& r, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size && !r.failed(); ++j) {
    if (next != 0) {
      const std::int32_t delta = r.se();
      if (delta < -128 || delta > 127) return false;
      next = (last + delta + 256) % 256;
    }
    last = next == 0 ? last : next;
  }
  return true;
}

}  // namespace

std::optional<H264PictureSize> h264SpsSize(std::span<const std::uint8_t> nal) {
  if (nal.size() < 4 || (nal[0] & 0x1F) != kSps) return std::nullopt;
  // The RBSP: without the header byte and without emulation prevention (00 00 03 -> 00 00).
  std::array<std::uint8_t, kMaxSpsBytes> rbsp{};
  std::size_t n = 0;
  int zeros = 0;
  for (std::size_t i = 1; i < nal.size() && n < rbsp.size(); ++i) {
    if (zeros >= 2 && nal[i] == 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] == 0 ? zeros + 1 : 0;
    rbsp[n++] = nal[i];
  }
  BitReader r({rbsp.data(), n});
  const std::uint32_t profile = r.bits(8);
  r.bits(16);  // constraint flags, level_idc
  if (r.ue() > 31) return std::nullopt;  // seq_parameter_set_id
  std::uint32_t chroma = 1;
  if (hasChromaFormat(profile)) {
    chroma = r.ue();
    if (chroma > 3) return std::nullopt;
    if (chroma == 3) r.bit();  // separate_colour_plane_flag
    r.ue();                    // bit_depth_luma_minus8
    r.ue();                    // bit_depth_chroma_minus8
    r.bit();                   // qpprime_y_zero_transform_bypass_flag
    if (r.bit()) {             // seq_scaling_matrix_present_flag
      for (int i = 0; i < (chroma != 3 ? 8 : 12) && !r.failed(); ++i) {
        if (r.bit() && !skipScalingList(r, i < 6 ? 16 : 64)) return std::nullopt;
      }
    }
  }
  r.ue();  // log2_max_frame_num_minus4
  const std::uint32_t pocType = r.ue();
  if (pocType == 0) {
    r.ue();  // log2_max_pic_order_cnt_lsb_minus4
  } else if (pocType == 1) {
    r.bit();  // delta_pic_order_always_zero_flag
    r.se();   // offset_for_non_ref_pic
    r.se();   // offset_for_top_to_bottom_field
    const std::uint32_t cycle = r.ue();
    if (cycle > 255) return std::nullopt;
    for (std::uint32_t i = 0; i < cycle && !r.failed(); ++i) r.se();
  } else if (pocType != 2) {
    return std::nullopt;
  }
  r.ue();   // max_num_ref_frames
  r.bit();  // gaps_in_frame_num_value_allowed_flag
  const std::uint32_t widthMbs = r.ue() + 1;
  const std::uint32_t heightUnits = r.ue() + 1;
  const std::uint32_t frameMbsOnly = r.bit();
  if (!frameMbsOnly) r.bit();  // mb_adaptive_frame_field_flag
  r.bit();                     // direct_8x8_inference_flag
  std::uint32_t cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
  if (r.bit()) {
    cropLeft = r.ue();
    cropRight = r.ue();
    cropTop = r.ue();
    cropBottom = r.ue();
  }
  if (r.failed() || widthMbs > 1024 || heightUnits > 1024) return std::nullopt;  // 16384 pixels at most
  // Cropping counts in chroma samples (4:2:0: two luma pixels each way), and in field pairs
  // for interlaced streams (Table 6-1, equations 7-19 to 7-22).
  const std::uint32_t unitX = chroma == 1 || chroma == 2 ? 2 : 1;
  const std::uint32_t unitY = (chroma == 1 ? 2 : 1) * (2 - frameMbsOnly);
  const std::uint64_t width = std::uint64_t{widthMbs} * 16;
  const std::uint64_t height = std::uint64_t{heightUnits} * 16 * (2 - frameMbsOnly);
  const std::uint64_t cropX = std::uint64_t{unitX} * (std::uint64_t{cropLeft} + cropRight);
  const std::uint64_t cropY = std::uint64_t{unitY} * (std::uint64_t{cropTop} + cropBottom);
  if (cropX >= width || cropY >= height) return std::nullopt;
  return H264PictureSize{static_cast<std::uint16_t>(width - cropX), static_cast<std::uint16_t>(height - cropY)};
}

std::optional<H264PictureSize> h264PictureSize(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return std::nullopt;
  const std::uint8_t type = payload[0] & 0x1F;
  if (type == kSps) return h264SpsSize(payload);
  if (type != kStapA) return std::nullopt;
  for (std::size_t i = 1; i + 2 <= payload.size();) {
    const std::size_t size = static_cast<std::size_t>(payload[i]) << 8 | payload[i + 1];
    i += 2;
    if (size == 0 || i + size > payload.size()) return std::nullopt;
    if ((payload[i] & 0x1F) == kSps) return h264SpsSize(payload.subspan(i, size));
    i += size;
  }
  return std::nullopt;
}

}  // namespace parley::rtp
