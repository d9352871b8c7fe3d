#pragma once
// Process-wide counters and gauges, rendered in the Prometheus text format at /metrics.
// Updates are relaxed atomics: safe from any thread, no locks, no allocation.
#include <atomic>
#include <cstdint>
#include <string>

namespace parley {

struct Metrics {
  // Control plane.
  std::atomic<std::int64_t> roomsActive{0};         // rooms with at least one participant
  std::atomic<std::uint64_t> roomsCreated{0};
  std::atomic<std::int64_t> participants{0};        // connected and joined
  std::atomic<std::uint64_t> participantsJoined{0};
  std::atomic<std::uint64_t> participantsTimedOut{0};
  std::atomic<std::uint64_t> participantsRemoved{0};
  std::atomic<std::uint64_t> participantsResumed{0};  // came back on a new connection as themselves
  std::atomic<std::uint64_t> participantsHandedOver{0};  // sent to their room's new home (cluster)
  std::atomic<std::int64_t> participantsAway{0};      // connection broken, within the resume window
  std::atomic<std::int64_t> waitingRoomPeople{0};  // waiting for a moderator to let them in
  std::atomic<std::uint64_t> waitingRoomAdmitted{0};
  std::atomic<std::uint64_t> waitingRoomDenied{0};
  std::atomic<std::uint64_t> waitingRoomExpired{0};
  std::atomic<std::uint64_t> waitingRoomRefused{0};  // the list full, or too many knocks from one address
  std::atomic<std::int64_t> websocketConnections{0};
  std::atomic<std::int64_t> signalingRelayed{0};  // clients' connections relayed to their room's home node
  std::atomic<std::uint64_t> httpRelayed{0};  // clients' REST requests relayed to their room's home node
  std::atomic<std::uint64_t> websocketJoinTimeouts{0};  // closed for not joining in time
  std::atomic<std::uint64_t> signalingMessagesIn{0};
  std::atomic<std::uint64_t> signalingMessagesOut{0};
  std::atomic<std::uint64_t> chatMessages{0};
  // Signaling errors by cause.
  std::atomic<std::uint64_t> signalingErrorMalformed{0};
  std::atomic<std::uint64_t> signalingErrorTooLarge{0};
  std::atomic<std::uint64_t> signalingErrorUnknownType{0};
  std::atomic<std::uint64_t> signalingErrorInvalid{0};
  std::atomic<std::uint64_t> signalingErrorRateLimited{0};
  std::atomic<std::uint64_t> signalingErrorForbidden{0};
  std::atomic<std::uint64_t> signalingErrorUnavailable{0};
  // HTTP.
  std::atomic<std::uint64_t> httpRequests{0};
  std::atomic<std::uint64_t> httpClientErrors{0};  // 4xx
  std::atomic<std::uint64_t> httpServerErrors{0};  // 5xx
  std::atomic<std::uint64_t> httpUnknownHost{0};   // Host not ours (421)
  std::atomic<std::uint64_t> httpRateLimited{0};   // 429
  std::atomic<std::uint64_t> tlsHandshakeFailures{0};  // a ClientHello, then no session
  std::atomic<std::uint64_t> tlsPlainTextRefused{0};   // plain HTTP or garbage to the TLS port
  std::atomic<std::uint64_t> acceptErrors{0};      // accept() failed (out of descriptors)
  std::atomic<std::uint64_t> controlErrors{0};     // a control-thread handler threw

  std::string renderPrometheus() const;
};

// The one instance of the process.
Metrics& metrics();

}  // namespace parley
