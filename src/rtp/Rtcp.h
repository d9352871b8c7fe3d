#pragma once
// RTCP (RFC 3550, RFC 4585, RFC 5104): walking a compound packet, reading the parts an SFU
// acts on, and writing reports and feedback. Readers check every length; writers fill a
// caller's buffer and return the bytes written.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace parley::rtp {

inline constexpr std::uint8_t kRtcpSr = 200;
inline constexpr std::uint8_t kRtcpRr = 201;
inline constexpr std::uint8_t kRtcpSdes = 202;
inline constexpr std::uint8_t kRtcpBye = 203;
inline constexpr std::uint8_t kRtcpRtpfb = 205;  // FMT 1 NACK, 15 transport-wide CC
inline constexpr std::uint8_t kRtcpPsfb = 206;   // FMT 1 PLI, 4 FIR, 15 application (REMB)

struct RtcpPart {
  std::uint8_t type;
  std::uint8_t count;  // RC or FMT
  std::span<const std::uint8_t> bytes;  // the whole part, header included
};

// Calls `visit` for each part; false if the compound packet is malformed (nothing after
// the first bad part is visited).
bool forEachRtcpPart(std::span<const std::uint8_t> packet, const std::function<void(const RtcpPart&)>& visit);

struct ReportBlock {
  std::uint32_t ssrc = 0;
  std::uint8_t fractionLost = 0;
  std::int32_t cumulativeLost = 0;
  std::uint32_t highestSeq = 0;  // extended
  std::uint32_t jitter = 0;
  std::uint32_t lastSr = 0;
  std::uint32_t delaySinceLastSr = 0;
};

struct SenderInfo {
  std::uint32_t ssrc = 0;
  std::uint64_t ntp = 0;
  std::uint32_t rtpTimestamp = 0;
  std::uint32_t packetCount = 0;
  std::uint32_t octetCount = 0;
};

bool readSenderReport(const RtcpPart& part, SenderInfo& info, std::vector<ReportBlock>* blocks = nullptr);
bool readReceiverReport(const RtcpPart& part, std::uint32_t& senderSsrc, std::vector<ReportBlock>& blocks);
// Feedback header: sender and media SSRC (RFC 4585 §6.1).
bool readFeedbackSsrcs(const RtcpPart& part, std::uint32_t& sender, std::uint32_t& media);
// Lost sequence numbers a Generic NACK reports, appended to `out`.
bool readNack(const RtcpPart& part, std::vector<std::uint16_t>& out);
// SSRCs a FIR asks key frames of.
bool readFir(const RtcpPart& part, std::vector<std::uint32_t>& ssrcs);

std::size_t writeReceiverReport(std::uint8_t* out, std::uint32_t senderSsrc, std::span<const ReportBlock> blocks);
std::size_t writeSenderReport(std::uint8_t* out, const SenderInfo& info);
std::size_t writePli(std::uint8_t* out, std::uint32_t senderSsrc, std::uint32_t mediaSsrc);
std::size_t writeFir(std::uint8_t* out, std::uint32_t senderSsrc, std::uint32_t mediaSsrc, std::uint8_t sequence);
// Packs `lost` (ascending, modulo 2^16) into PID/BLP pairs; at most `maxItems` pairs.
std::size_t writeNack(std::uint8_t* out, std::uint32_t senderSsrc, std::uint32_t mediaSsrc,
                      std::span<const std::uint16_t> lost, std::size_t maxItems = 32);

// NTP time (RFC 3550 §4) from a system clock reading in microseconds since 1970.
std::uint64_t ntpFromUnixMicros(std::uint64_t micros);
inline std::uint32_t ntpMiddle32(std::uint64_t ntp) { return static_cast<std::uint32_t>(ntp >> 16); }

}  // namespace parley::rtp
