#include "rtp/Rtcp.h"

#include <algorithm>

#include "rtp/RtpPacket.h"

namespace parley::rtp {

namespace {

std::size_t header(std::uint8_t* out, std::uint8_t count, std::uint8_t type, std::size_t totalBytes) {
  out[0] = static_cast<std::uint8_t>(0x80 | (count & 0x1F));
  out[1] = type;
  write16(out + 2, static_cast<std::uint16_t>(totalBytes / 4 - 1));
  return 4;
}

ReportBlock readBlock(const std::uint8_t* p) {
  ReportBlock b;
  b.ssrc = read32(p);
  b.fractionLost = p[4];
  std::uint32_t lost = read24(p + 5);
  if (lost & 0x800000) lost |= 0xFF000000;  // sign-extend 24 bits
  b.cumulativeLost = static_cast<std::int32_t>(lost);
  b.highestSeq = read32(p + 8);
  b.jitter = read32(p + 12);
  b.lastSr = read32(p + 16);
  b.delaySinceLastSr = read32(p + 20);
  return b;
}

void writeBlock(std::uint8_t* p, const ReportBlock& b) {
  write32(p, b.ssrc);
  p[4] = b.fractionLost;
  const std::int32_t clamped = std::max(-0x800000, std::min(0x7FFFFF, b.cumulativeLost));
  write24(p + 5, static_cast<std::uint32_t>(clamped) & 0xFFFFFF);
  write32(p + 8, b.highestSeq);
  write32(p + 12, b.jitter);
  write32(p + 16, b.lastSr);
  write32(p + 20, b.delaySinceLastSr);
}

}  // namespace

bool forEachRtcpPart(std::span<const std::uint8_t> packet, const std::function<void(const RtcpPart&)>& visit) {
  std::size_t offset = 0;
  if (packet.size() < 4) return false;
  while (offset < packet.size()) {
    if (packet.size() - offset < 4) return false;
    const std::uint8_t* p = packet.data() + offset;
    if ((p[0] >> 6) != 2) return false;
    const std::size_t length = (std::size_t(read16(p + 2)) + 1) * 4;
    if (offset + length > packet.size()) return false;
    visit(RtcpPart{p[1], static_cast<std::uint8_t>(p[0] & 0x1F), packet.subspan(offset, length)});
    offset += length;
  }
  return true;
}

bool readSenderReport(const RtcpPart& part, SenderInfo& info, std::vector<ReportBlock>* blocks) {
  if (part.type != kRtcpSr || part.bytes.size() < 28 + 24u * part.count) return false;
  const std::uint8_t* p = part.bytes.data();
  info.ssrc = read32(p + 4);
  info.ntp = std::uint64_t{read32(p + 8)} << 32 | read32(p + 12);
  info.rtpTimestamp = read32(p + 16);
  info.packetCount = read32(p + 20);
  info.octetCount = read32(p + 24);
  if (blocks) {
    for (std::size_t i = 0; i < part.count; ++i) blocks->push_back(readBlock(p + 28 + 24 * i));
  }
  return true;
}

bool readReceiverReport(const RtcpPart& part, std::uint32_t& senderSsrc, std::vector<ReportBlock>& blocks) {
  if (part.type != kRtcpRr || part.bytes.size() < 8 + 24u * part.count) return false;
  senderSsrc = read32(part.bytes.data() + 4);
  for (std::size_t i = 0; i < part.count; ++i) blocks.push_back(readBlock(part.bytes.data() + 8 + 24 * i));
  return true;
}

bool readFeedbackSsrcs(const RtcpPart& part, std::uint32_t& sender, std::uint32_t& media) {
  if (part.bytes.size() < 12) return false;
  sender = read32(part.bytes.data() + 4);
  media = read32(part.bytes.data() + 8);
  return true;
}

bool readNack(const RtcpPart& part, std::vector<std::uint16_t>& out) {
  if (part.type != kRtcpRtpfb || part.count != 1 || part.bytes.size() < 12) return false;
  for (std::size_t i = 12; i + 4 <= part.bytes.size(); i += 4) {
    const std::uint16_t pid = read16(part.bytes.data() + i);
    const std::uint16_t blp = read16(part.bytes.data() + i + 2);
    out.push_back(pid);
    for (int bit = 0; bit < 16; ++bit) {
      if (blp & (1u << bit)) out.push_back(static_cast<std::uint16_t>(pid + bit + 1));
    }
  }
  return true;
}

bool readFir(const RtcpPart& part, std::vector<std::uint32_t>& ssrcs) {
  if (part.type != kRtcpPsfb || part.count != 4 || part.bytes.size() < 12) return false;
  for (std::size_t i = 12; i + 8 <= part.bytes.size(); i += 8) ssrcs.push_back(read32(part.bytes.data() + i));
  return true;
}

std::size_t writeReceiverReport(std::uint8_t* out, std::uint32_t senderSsrc, std::span<const ReportBlock> blocks) {
  const std::size_t count = std::min<std::size_t>(blocks.size(), 31);
  const std::size_t total = 8 + 24 * count;
  header(out, static_cast<std::uint8_t>(count), kRtcpRr, total);
  write32(out + 4, senderSsrc);
  for (std::size_t i = 0; i < count; ++i) writeBlock(out + 8 + 24 * i, blocks[i]);
  return total;
}

std::size_t writeSenderReport(std::uint8_t* out, const SenderInfo& info) {
  header(out, 0, kRtcpSr, 28);
  write32(out + 4, info.ssrc);
  write32(out + 8, static_cast<std::uint32_t>(info.ntp >> 32));
  write32(out + 12, static_cast<std::uint32_t>(info.ntp));
  write32(out + 16, info.rtpTimestamp);
  write32(out + 20, info.packetCount);
  write32(out + 24, info.octetCount);
  return 28;
}

std::size_t writePli(std::uint8_t* out, std::uint32_t senderSsrc, std::uint32_t mediaSsrc) {
  header(out, 1, kRtcpPsfb, 12);
  write32(out + 4, senderSsrc);
  write32(out + 8, mediaSsrc);
  return 12;
}

std::size_t writeFir(std::uint8_t* out, std::uint32_t senderSsrc, std::uint32_t mediaSsrc, std::uint8_t sequence) {
  header(out, 4, kRtcpPsfb, 20);
  write32(out + 4, senderSsrc);
  write32(out + 8, 0);
  write32(out + 12, mediaSsrc);
  out[16] = sequence;
  out[17] = out[18] = out[19] = 0;
  return 20;
}

std::size_t writeNack(std::uint8_t* out, std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                      std::span<const std::uint16_t> lost, std::size_t maxItems) {
  std::size_t items = 0;
  std::size_t i = 0;
  std::size_t offset = 12;
  while (i < lost.size() && items < maxItems) {
    const std::uint16_t pid = lost[i++];
    std::uint16_t blp = 0;
    while (i < lost.size()) {
      const std::uint16_t delta = static_cast<std::uint16_t>(lost[i] - pid);
      if (delta == 0 || delta > 16) break;
      blp = static_cast<std::uint16_t>(blp | (1u << (delta - 1)));
      ++i;
    }
    write16(out + offset, pid);
    write16(out + offset + 2, blp);
    offset += 4;
    ++items;
  }
  if (items == 0) return 0;
  header(out, 1, kRtcpRtpfb, offset);
  write32(out + 4, senderSsrc);
  write32(out + 8, mediaSsrc);
  return offset;
}

std::uint64_t ntpFromUnixMicros(std::uint64_t micros) {
  constexpr std::uint64_t kEpochOffset = 2208988800ull;  // 1900 to 1970, seconds
  const std::uint64_t seconds = micros / 1000000 + kEpochOffset;
  const std::uint64_t fraction = ((micros % 1000000) << 32) / 1000000;
  return seconds << 32 | fraction;
}

}  // namespace parley::rtp
