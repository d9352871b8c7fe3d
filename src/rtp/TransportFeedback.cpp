#include "rtp/TransportFeedback.h"

#include <cmath>

#include "rtp/Rtcp.h"
#include "rtp/RtpPacket.h"

namespace parley::rtp {

namespace {
constexpr std::int64_t kDeltaTickMicros = 250;
constexpr std::int64_t kReferenceTickMicros = 64000;
enum Symbol : std::uint8_t { NotReceived = 0, SmallDelta = 1, LargeDelta = 2 };
}  // namespace

std::size_t writeTransportFeedback(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc,
                                   std::uint32_t mediaSsrc, std::uint8_t feedbackCount,
                                   std::span<const PacketArrival> arrivals) {
  if (arrivals.empty() || !arrivals.front().arrivalMicros || arrivals.size() > 0xFFFF) return 0;
  const std::int64_t reference = *arrivals.front().arrivalMicros / kReferenceTickMicros;
  std::int64_t previous = reference * kReferenceTickMicros;

  std::vector<std::uint8_t> symbols;
  std::vector<std::int16_t> deltas;
  symbols.reserve(arrivals.size());
  deltas.reserve(arrivals.size());
  for (const auto& a : arrivals) {
    if (!a.arrivalMicros) {
      symbols.push_back(NotReceived);
      continue;
    }
    std::int64_t ticks = (*a.arrivalMicros - previous) / kDeltaTickMicros;
    ticks = std::max<std::int64_t>(-32768, std::min<std::int64_t>(32767, ticks));
    previous += ticks * kDeltaTickMicros;
    symbols.push_back(ticks >= 0 && ticks <= 255 ? SmallDelta : LargeDelta);
    deltas.push_back(static_cast<std::int16_t>(ticks));
  }

  std::size_t offset = 20;
  const auto room = [&](std::size_t n) { return offset + n <= capacity; };
  // Chunks: a run-length chunk for long runs, else 2-bit status vectors of 7 symbols.
  std::size_t i = 0;
  while (i < symbols.size()) {
    std::size_t run = 1;
    while (i + run < symbols.size() && symbols[i + run] == symbols[i] && run < 0x1FFF) ++run;
    if (!room(2)) return 0;
    if (run >= 14) {
      write16(out + offset, static_cast<std::uint16_t>(symbols[i] << 13 | run));
      i += run;
    } else {
      std::uint16_t chunk = 0xC000;
      for (std::size_t k = 0; k < 7; ++k) {
        const std::uint8_t s = i + k < symbols.size() ? symbols[i + k] : NotReceived;
        chunk = static_cast<std::uint16_t>(chunk | (s << (12 - 2 * k)));
      }
      write16(out + offset, chunk);
      i += 7;
    }
    offset += 2;
  }
  std::size_t d = 0;
  for (std::uint8_t s : symbols) {
    if (s == SmallDelta) {
      if (!room(1)) return 0;
      out[offset++] = static_cast<std::uint8_t>(deltas[d++]);
    } else if (s == LargeDelta) {
      if (!room(2)) return 0;
      write16(out + offset, static_cast<std::uint16_t>(deltas[d++]));
      offset += 2;
    }
  }
  while (offset % 4) {
    if (!room(1)) return 0;
    out[offset++] = 0;
  }
  out[0] = 0x80 | 15;
  out[1] = kRtcpRtpfb;
  write16(out + 2, static_cast<std::uint16_t>(offset / 4 - 1));
  write32(out + 4, senderSsrc);
  write32(out + 8, mediaSsrc);
  write16(out + 12, arrivals.front().sequence);
  write16(out + 14, static_cast<std::uint16_t>(arrivals.size()));
  write24(out + 16, static_cast<std::uint32_t>(reference) & 0xFFFFFF);
  out[19] = feedbackCount;
  return offset;
}

std::optional<TransportFeedback> readTransportFeedback(std::span<const std::uint8_t> part) {
  if (part.size() < 20 || (part[0] & 0x1F) != 15 || part[1] != kRtcpRtpfb) return std::nullopt;
  TransportFeedback fb;
  fb.baseSequence = read16(part.data() + 12);
  const std::size_t count = read16(part.data() + 14);
  std::int32_t reference = static_cast<std::int32_t>(read24(part.data() + 16));
  if (reference & 0x800000) reference |= static_cast<std::int32_t>(0xFF000000);
  fb.referenceTimeMicros = std::int64_t{reference} * kReferenceTickMicros;
  fb.feedbackCount = part[19];
  std::vector<std::uint8_t> symbols;
  std::size_t offset = 20;
  while (symbols.size() < count) {
    if (offset + 2 > part.size()) return std::nullopt;
    const std::uint16_t chunk = read16(part.data() + offset);
    offset += 2;
    if ((chunk & 0x8000) == 0) {
      const std::uint8_t s = (chunk >> 13) & 0x3;
      for (std::size_t k = 0; k < (chunk & 0x1FFFu) && symbols.size() < count; ++k) symbols.push_back(s);
    } else if (chunk & 0x4000) {
      for (int k = 0; k < 7 && symbols.size() < count; ++k) symbols.push_back((chunk >> (12 - 2 * k)) & 0x3);
    } else {
      for (int k = 0; k < 14 && symbols.size() < count; ++k) symbols.push_back((chunk >> (13 - k)) & 0x1);
    }
  }
  std::int64_t time = fb.referenceTimeMicros;
  for (std::size_t k = 0; k < count; ++k) {
    PacketArrival a{static_cast<std::uint16_t>(fb.baseSequence + k), std::nullopt};
    if (symbols[k] == SmallDelta) {
      if (offset + 1 > part.size()) return std::nullopt;
      time += std::int64_t{part[offset++]} * kDeltaTickMicros;
      a.arrivalMicros = time;
    } else if (symbols[k] == LargeDelta) {
      if (offset + 2 > part.size()) return std::nullopt;
      time += std::int64_t{static_cast<std::int16_t>(read16(part.data() + offset))} * kDeltaTickMicros;
      offset += 2;
      a.arrivalMicros = time;
    } else if (symbols[k] == 3) {
      return std::nullopt;
    }
    fb.packets.push_back(a);
  }
  return fb;
}

}  // namespace parley::rtp
