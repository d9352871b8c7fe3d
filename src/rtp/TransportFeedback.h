#pragma once
// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-
// extensions-01, RTPFB FMT 15): which packets arrived and when, so the sender's bandwidth
// estimator can see queues build. Written by the server toward publishers; read by the
// load generator.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace parley::rtp {

struct PacketArrival {
  std::uint16_t sequence;
  std::optional<std::int64_t> arrivalMicros;  // nullopt: not received
};

inline constexpr std::size_t kMaxTransportFeedbackBytes = 1200;

// Writes one feedback packet for `arrivals` (consecutive sequence numbers, starting with a
// received one). Returns the bytes written, or 0 if it does not fit in `capacity`.
std::size_t writeTransportFeedback(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc,
                                   std::uint32_t mediaSsrc, std::uint8_t feedbackCount,
                                   std::span<const PacketArrival> arrivals);

struct TransportFeedback {
  std::uint16_t baseSequence = 0;
  std::int64_t referenceTimeMicros = 0;
  std::uint8_t feedbackCount = 0;
  std::vector<PacketArrival> packets;  // arrival times relative to the reference time
};

std::optional<TransportFeedback> readTransportFeedback(std::span<const std::uint8_t> part);

}  // namespace parley::rtp
