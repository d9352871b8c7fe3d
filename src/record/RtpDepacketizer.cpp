#include "record/RtpDepacketizer.h"

#include "rtp/H264Sps.h"
#include "rtp/RtpPacket.h"
#include "rtp/Vp8Descriptor.h"

namespace parley::record {

namespace {

constexpr std::uint8_t kStartCode[4] = {0, 0, 0, 1};
constexpr std::uint8_t kStapA = 24, kFuA = 28;
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

void appendNal(std::span<const std::uint8_t> nal, std::vector<std::uint8_t>& out) {
  out.insert(out.end(), kStartCode, kStartCode + 4);
  out.insert(out.end(), nal.begin(), nal.end());
}

// Calls `each(nal)` for every NAL unit of an Annex B buffer (3- or 4-byte start codes).
template <typename Each>
void forEachNal(std::span<const std::uint8_t> annexB, Each&& each) {
  std::size_t i = 0, start = kNone;
  const std::size_t n = annexB.size();
  while (i + 3 <= n) {
    if (annexB[i] == 0 && annexB[i + 1] == 0 && annexB[i + 2] == 1) {
      if (start != kNone) {
        std::size_t end = i;
        while (end > start && annexB[end - 1] == 0) --end;  // the 4-byte code's leading zero
        if (end > start) each(annexB.subspan(start, end - start));
      }
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  if (start != kNone && start < n) each(annexB.subspan(start));
}

}  // namespace

bool appendVp8(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& frame) {
  const auto descriptor = rtp::parseVp8Descriptor(payload);
  if (!descriptor || descriptor->size >= payload.size()) return false;
  frame.insert(frame.end(), payload.begin() + static_cast<std::ptrdiff_t>(descriptor->size), payload.end());
  return true;
}

bool appendH264(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& frame) {
  if (payload.empty() || (payload[0] & 0x80)) return false;  // the forbidden bit
  const std::uint8_t type = payload[0] & 0x1F;
  if (type >= 1 && type <= 23) {
    appendNal(payload, frame);
    return true;
  }
  if (type == kStapA) {
    const std::size_t before = frame.size();
    std::size_t i = 1;
    while (i < payload.size()) {
      if (i + 2 > payload.size()) break;
      const std::size_t size = rtp::read16(payload.data() + i);
      i += 2;
      if (size == 0 || i + size > payload.size()) {
        frame.resize(before);
        return false;
      }
      appendNal(payload.subspan(i, size), frame);
      i += size;
    }
    if (i != payload.size() || frame.size() == before) {
      frame.resize(before);
      return false;
    }
    return true;
  }
  if (type == kFuA) {
    if (payload.size() < 3) return false;
    const std::uint8_t header = payload[1];
    if ((header & 0x80) && (header & 0x40)) return false;  // start and end at once
    if (header & 0x80) {
      const std::uint8_t nalHeader = static_cast<std::uint8_t>((payload[0] & 0xE0) | (header & 0x1F));
      frame.insert(frame.end(), kStartCode, kStartCode + 4);
      frame.push_back(nalHeader);
    } else if (frame.empty()) {
      return false;  // a continuation with nothing to continue
    }
    frame.insert(frame.end(), payload.begin() + 2, payload.end());
    return true;
  }
  return false;  // STAP-B, MTAP, FU-B: not in WebRTC's packetization mode 1
}

bool startsVp8Frame(std::span<const std::uint8_t> payload) {
  const auto descriptor = rtp::parseVp8Descriptor(payload);
  return descriptor && descriptor->startOfPartition && descriptor->partitionIndex == 0;
}

bool startsH264Frame(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return false;
  const std::uint8_t type = payload[0] & 0x1F;
  if (type >= 1 && type <= 24) return true;
  return type == kFuA && payload.size() >= 2 && (payload[1] & 0x80);
}

bool startsKeyFrame(VideoCodec codec, std::span<const std::uint8_t> payload) {
  if (codec == VideoCodec::Vp8) return rtp::isVp8KeyFrame(payload);
  return rtp::isH264KeyFrame(payload) && startsH264Frame(payload);
}

std::vector<std::uint8_t> h264ParameterSets(std::span<const std::uint8_t> annexB) {
  std::vector<std::uint8_t> out;
  bool sps = false;
  forEachNal(annexB, [&](std::span<const std::uint8_t> nal) {
    const std::uint8_t type = nal[0] & 0x1F;
    if (type == 7 || type == 8) appendNal(nal, out);
    sps = sps || type == 7;
  });
  if (!sps) out.clear();
  return out;
}

PictureSize vp8PictureSize(std::span<const std::uint8_t> frame) {
  const auto size = rtp::vp8KeyFrameSize(frame);
  if (!size) return {};
  return {size->width, size->height};
}

PictureSize h264PictureSize(std::span<const std::uint8_t> annexB) {
  PictureSize found;
  forEachNal(annexB, [&](std::span<const std::uint8_t> nal) {
    if (found.width || (nal[0] & 0x1F) != 7) return;
    if (const auto size = rtp::h264SpsSize(nal)) found = {size->width, size->height};
  });
  return found;
}

}  // namespace parley::record
