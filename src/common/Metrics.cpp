#include "common/Metrics.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/Prometheus.h"

namespace parley {

std::string Metrics::renderPrometheus() const {
  PrometheusText out;
  // The standard process metrics, for operators and for the load generator's CPU figure.
  {
    std::ifstream stat("/proc/self/stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the command name, which is in parentheses and may hold spaces.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) {
        stime = std::stoull(field);
        break;
      }
    }
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    out.counter("process_cpu_seconds_total", "User and system CPU time of the server.",
                static_cast<double>(utime + stime) / ticks);
    std::ifstream statm("/proc/self/statm");
    unsigned long long size = 0, resident = 0;
    statm >> size >> resident;
    out.gauge("process_resident_memory_bytes", "Resident memory of the server.",
              resident * static_cast<unsigned long long>(sysconf(_SC_PAGESIZE)));
  }
  const auto load = [](const auto& atomic) { return atomic.load(std::memory_order_relaxed); };
  out.gauge("parley_rooms_active", "Rooms with at least one participant.", load(roomsActive));
  out.counter("parley_rooms_created_total", "Rooms created.", load(roomsCreated));
  out.gauge("parley_participants", "Participants connected to a room.", load(participants));
  out.counter("parley_participants_joined_total", "Successful joins.", load(participantsJoined));
  out.counter("parley_participants_timed_out_total", "Participants dropped because their connection stopped answering.",
              load(participantsTimedOut));
  out.counter("parley_participants_removed_total", "Participants removed by a moderator.", load(participantsRemoved));
  out.counter("parley_participants_resumed_total",
              "Participants whose connection broke and who came back as themselves (resume token).",
              load(participantsResumed));
  out.counter("parley_participants_handed_over_total",
              "Participants (and people waiting) let go to reconnect at their room's new home node: this "
              "node found, back from an absence from the cluster, that another node had taken the room.",
              load(participantsHandedOver));
  out.gauge("parley_participants_away", "Participants whose connection broke, kept for their return.",
            load(participantsAway));
  out.gauge("parley_waiting_room_people", "People in waiting rooms, waiting for a moderator.", load(waitingRoomPeople));
  out.family("parley_waiting_room_requests_total", "counter", "Waiting-room requests by how they ended.");
  out.sample("parley_waiting_room_requests_total", "outcome=\"admitted\"", load(waitingRoomAdmitted));
  out.sample("parley_waiting_room_requests_total", "outcome=\"denied\"", load(waitingRoomDenied));
  out.sample("parley_waiting_room_requests_total", "outcome=\"expired\"", load(waitingRoomExpired));
  out.sample("parley_waiting_room_requests_total", "outcome=\"refused\"", load(waitingRoomRefused));
  out.gauge("parley_websocket_connections", "Open signaling WebSocket connections.", load(websocketConnections));
  out.gauge("parley_signaling_relayed_connections",
            "Clients' signaling connections this node relays to their meeting's home node (a cluster).",
            load(signalingRelayed));
  out.counter("parley_http_relayed_requests_total",
              "Clients' REST requests this node relayed to their meeting's home node (a cluster).",
              load(httpRelayed));
  out.counter("parley_websocket_join_timeouts_total", "Signaling connections closed for not joining within 10 s.",
              load(websocketJoinTimeouts));
  out.family("parley_signaling_messages_total", "counter", "Signaling messages by direction.");
  out.sample("parley_signaling_messages_total", "direction=\"in\"", load(signalingMessagesIn));
  out.sample("parley_signaling_messages_total", "direction=\"out\"", load(signalingMessagesOut));
  out.counter("parley_chat_messages_total", "Chat messages accepted.", load(chatMessages));
  out.family("parley_signaling_errors_total", "counter", "Rejected signaling messages by reason.");
  const std::pair<const char*, const std::atomic<std::uint64_t>*> errors[] = {
      {"malformed", &signalingErrorMalformed}, {"too_large", &signalingErrorTooLarge},
      {"unknown_type", &signalingErrorUnknownType}, {"invalid", &signalingErrorInvalid},
      {"rate_limited", &signalingErrorRateLimited}, {"forbidden", &signalingErrorForbidden},
      {"unavailable", &signalingErrorUnavailable}};
  for (const auto& [reason, counter] : errors) {
    out.sample("parley_signaling_errors_total", std::string("reason=\"") + reason + "\"", load(*counter));
  }
  out.counter("parley_http_requests_total", "HTTP requests.", load(httpRequests));
  out.family("parley_http_errors_total", "counter", "HTTP error responses by class.");
  out.sample("parley_http_errors_total", "class=\"4xx\"", load(httpClientErrors));
  out.sample("parley_http_errors_total", "class=\"5xx\"", load(httpServerErrors));
  out.counter("parley_http_unknown_host_total", "Requests for a Host that is not this server's (421).",
              load(httpUnknownHost));
  out.counter("parley_http_rate_limited_total", "Requests refused for their rate (429).", load(httpRateLimited));
  out.counter("parley_tls_handshake_failures_total", "TLS handshakes that failed (bad or no ClientHello end).",
              load(tlsHandshakeFailures));
  out.counter("parley_tls_plaintext_refused_total", "Connections to the TLS port that did not speak TLS (400).",
              load(tlsPlainTextRefused));
  out.counter("parley_accept_errors_total", "Failed accepts (out of file descriptors); accepting backs off.",
              load(acceptErrors));
  out.counter("parley_control_errors_total", "Control-thread tasks that failed with an error (logged).",
              load(controlErrors));
  return out.str();
}

Metrics& metrics() {
  static Metrics instance;
  return instance;
}

}  // namespace parley
