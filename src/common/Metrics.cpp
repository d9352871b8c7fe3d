#include "common/Metrics.h"

#include <fstream>
#include <sstream>

#include <unistd.h>

namespace parley {

namespace {

template <typename T>
void family(std::ostringstream& out, const char* name, const char* type, const char* help,
            const std::atomic<T>& value) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << value.load(std::memory_order_relaxed) << '\n';
}

}  // namespace

std::string Metrics::renderPrometheus() const {
  std::ostringstream out;
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
    out << "# HELP process_cpu_seconds_total User and system CPU time of the server.\n"
           "# TYPE process_cpu_seconds_total counter\n"
        << "process_cpu_seconds_total " << static_cast<double>(utime + stime) / ticks << '\n';
    std::ifstream statm("/proc/self/statm");
    unsigned long long size = 0, resident = 0;
    statm >> size >> resident;
    out << "# HELP process_resident_memory_bytes Resident memory of the server.\n"
           "# TYPE process_resident_memory_bytes gauge\n"
        << "process_resident_memory_bytes " << resident * static_cast<unsigned long long>(sysconf(_SC_PAGESIZE)) << '\n';
  }
  family(out, "parley_rooms_active", "gauge", "Rooms with at least one participant.", roomsActive);
  family(out, "parley_rooms_created_total", "counter", "Rooms created.", roomsCreated);
  family(out, "parley_participants", "gauge", "Participants connected to a room.", participants);
  family(out, "parley_participants_joined_total", "counter", "Successful joins.", participantsJoined);
  family(out, "parley_participants_timed_out_total", "counter",
         "Participants dropped because their connection stopped answering.", participantsTimedOut);
  family(out, "parley_participants_removed_total", "counter", "Participants removed by a moderator.",
         participantsRemoved);
  family(out, "parley_websocket_connections", "gauge", "Open signaling WebSocket connections.",
         websocketConnections);
  out << "# HELP parley_signaling_messages_total Signaling messages by direction.\n"
         "# TYPE parley_signaling_messages_total counter\n"
      << "parley_signaling_messages_total{direction=\"in\"} " << signalingMessagesIn.load() << '\n'
      << "parley_signaling_messages_total{direction=\"out\"} " << signalingMessagesOut.load() << '\n';
  family(out, "parley_chat_messages_total", "counter", "Chat messages accepted.", chatMessages);
  out << "# HELP parley_signaling_errors_total Rejected signaling messages by reason.\n"
         "# TYPE parley_signaling_errors_total counter\n";
  const std::pair<const char*, const std::atomic<std::uint64_t>*> errors[] = {
      {"malformed", &signalingErrorMalformed}, {"too_large", &signalingErrorTooLarge},
      {"unknown_type", &signalingErrorUnknownType}, {"invalid", &signalingErrorInvalid},
      {"rate_limited", &signalingErrorRateLimited}, {"forbidden", &signalingErrorForbidden}};
  for (const auto& [reason, counter] : errors) {
    out << "parley_signaling_errors_total{reason=\"" << reason << "\"} " << counter->load() << '\n';
  }
  out << "# HELP parley_http_requests_total HTTP requests by status class.\n"
         "# TYPE parley_http_requests_total counter\n"
      << "parley_http_requests_total " << httpRequests.load() << '\n';
  out << "# HELP parley_http_errors_total HTTP error responses by class.\n"
         "# TYPE parley_http_errors_total counter\n"
      << "parley_http_errors_total{class=\"4xx\"} " << httpClientErrors.load() << '\n'
      << "parley_http_errors_total{class=\"5xx\"} " << httpServerErrors.load() << '\n';
  return out.str();
}

Metrics& metrics() {
  static Metrics instance;
  return instance;
}

}  // namespace parley
