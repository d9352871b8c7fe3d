// parley-bench: synthetic WebRTC load against a running `parley serve` on loopback, with
// the server's cost per forwarded packet and the delay it adds. A benchmark, not a test:
// it reports figures and fails only when it cannot run.
#include <algorithm>
#include <fstream>
#include <sstream>

#include <unistd.h>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "LoadParticipant.h"

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using parley::bench::LoadParticipant;
using parley::bench::LoadStats;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int publishers = 1;
  int subscribers = 10;
  int rooms = 1;
  double seconds = 10;
  double lossPct = 0;  // simulated loss of video packets, each way
  bool transcribe = false;  // live transcription on in every room (Parley)
  int meeting = 0;          // >0: one room of this many participants, each publishing and receiving
  parley::bench::MediaRates rates;
  bool json = false;
  std::string cacheDir;
  // Janus instead of Parley (scripts/bench-vs-janus.sh): its WebSocket API, its process.
  std::string janusHost;
  std::uint16_t janusPort = 0;
  int serverPid = 0;
  std::string bind = "127.0.0.1";
  bool netnsTarget = false;
  bool iceTcp = false;  // --transport tcp: media over ICE-TCP (Parley only)
};

const char* kUsage =
    "Usage: parley-bench --url http://127.0.0.1:PORT [--publishers P] [--subscribers S] [--rooms R]\n"
    "                    [--seconds T] [--loss PCT] [--transport udp|tcp] [--transcribe] [--json] [--cache DIR]\n"
    "       parley-bench --janus ws://HOST:PORT --server-pid PID [--bind IP] [--netns-target] [same options]\n"
    "       parley-bench --url http://127.0.0.1:PORT --meeting N [--audio-interval-ms MS] [--video-fps F] ...\n"
    "\n"
    "Joins P publishers (Opus and VP8 at real rates) and S subscribers to R rooms of a running\n"
    "parley serve (each room gets P/R publishers and S/R subscribers), measures for T seconds,\n"
    "and prints the server's CPU time per forwarded packet, forwarded packets and Mbit a\n"
    "second, loss, the delay added (p50, p99), resident memory per participant and the time\n"
    "from join to the first media packet. --json: the last line is one JSON object.\n"
    "--loss drops that share of video packets as a lossy link would, on the way to the server\n"
    "and on the way back, so NACKs and retransmissions are exercised; loss is what remains.\n"
    "--transport tcp sends and receives media over ICE-TCP (RFC 6544) to the server's TCP\n"
    "candidates instead of UDP (Parley only).\n"
    "--transcribe starts live transcription in each room first (the publishers' audio is a\n"
    "voice-like tone, which keeps the recognizers busy).\n"
    "--meeting N: one room where each of N participants publishes audio and video and receives\n"
    "everyone else's, as in a real meeting (2 x N x (N-1) streams); --audio-interval-ms and\n"
    "--video-fps slow the media down so that large meetings fit a small machine.\n"
    "Only loopback servers are accepted, or with --netns-target an address inside a network\n"
    "namespace that the calling script made (Janus ignores loopback; see scripts/bench-vs-janus.sh).\n"
    "With --janus, CPU and memory come from /proc/PID and forwarded packets are those the\n"
    "subscribers received.\n";

// "SCHEME://HOST:PORT" into host and port; false if it is not of that form.
bool splitUrl(const std::string& url, const std::string& scheme, std::string& host, std::uint16_t& port) {
  if (url.rfind(scheme, 0) != 0) return false;
  const std::string rest = url.substr(scheme.size());
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = rest.substr(0, colon);
  port = static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1)));
  return true;
}

std::optional<Options> parse(int argc, char** argv, std::string& error) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        error = arg + " needs a value";
        return {};
      }
      return argv[++i];
    };
    try {
      if (arg == "--help" || arg == "-h") {
        std::cout << kUsage;
        std::exit(0);
      } else if (arg == "--url") {
        if (!splitUrl(value(), "http://", o.host, o.port)) return error = "--url must be http://HOST:PORT", std::nullopt;
      } else if (arg == "--publishers") {
        o.publishers = std::stoi(value());
      } else if (arg == "--subscribers") {
        o.subscribers = std::stoi(value());
      } else if (arg == "--rooms") {
        o.rooms = std::stoi(value());
      } else if (arg == "--seconds") {
        o.seconds = std::stod(value());
      } else if (arg == "--cache") {
        o.cacheDir = value();
      } else if (arg == "--json") {
        o.json = true;
      } else if (arg == "--transcribe") {
        o.transcribe = true;
      } else if (arg == "--meeting") {
        o.meeting = std::stoi(value());
      } else if (arg == "--audio-interval-ms") {
        o.rates.audioInterval = std::chrono::microseconds(static_cast<std::int64_t>(std::stod(value()) * 1000));
      } else if (arg == "--video-fps") {
        o.rates.videoFps = std::stod(value());
      } else if (arg == "--loss") {
        o.lossPct = std::stod(value());
        if (o.lossPct < 0 || o.lossPct > 50) return error = "--loss is a percentage from 0 to 50", std::nullopt;
      } else if (arg == "--transport") {
        const std::string transport = value();
        if (transport != "udp" && transport != "tcp") return error = "--transport is udp or tcp", std::nullopt;
        o.iceTcp = transport == "tcp";
      } else if (arg == "--janus") {
        if (!splitUrl(value(), "ws://", o.janusHost, o.janusPort)) return error = "--janus must be ws://HOST:PORT", std::nullopt;
      } else if (arg == "--server-pid") {
        o.serverPid = std::stoi(value());
      } else if (arg == "--bind") {
        o.bind = value();
      } else if (arg == "--netns-target") {
        o.netnsTarget = true;
      } else {
        return error = "unknown option " + arg + " (see --help)", std::nullopt;
      }
    } catch (const std::exception&) {
      return error = "bad value for " + arg, std::nullopt;
    }
    if (!error.empty()) return std::nullopt;
  }
  if (o.meeting > 0) {
    if (!o.janusHost.empty()) return error = "--meeting is for Parley only", std::nullopt;
    if (o.meeting < 2 || o.meeting > 1000) return error = "--meeting takes 2 to 1000 participants", std::nullopt;
    o.publishers = o.meeting;
    o.subscribers = 0;
    o.rooms = 1;
  }
  if (o.rates.audioInterval.count() < 5000 || o.rates.videoFps <= 0 || o.rates.videoFps > 60) {
    error = "--audio-interval-ms must be at least 5 and --video-fps from above 0 to 60";
    return std::nullopt;
  }
  if (o.publishers < 1 || o.subscribers < 0 || o.rooms < 1 || o.seconds <= 0 || o.rooms > o.publishers) {
    error = "need at least one publisher per room, and a positive duration";
    return std::nullopt;
  }
  if (!o.janusHost.empty() && o.iceTcp) return error = "--transport tcp is for Parley only", std::nullopt;
  if (!o.janusHost.empty() && o.serverPid <= 0) {
    error = "--janus needs --server-pid (Janus has no CPU metrics of its own)";
    return std::nullopt;
  }
  // Load goes only to this machine's loopback, or into a namespace the caller made.
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(o.janusHost.empty() ? o.host : o.janusHost, ec);
  if (ec || (!address.is_loopback() && !o.netnsTarget)) {
    error = "the server must be on loopback (127.0.0.0/8 or ::1), not " + (o.janusHost.empty() ? o.host : o.janusHost);
    return std::nullopt;
  }
  return o;
}

std::string request(const Options& o, http::verb verb, const std::string& target, const std::string& body = {},
                    const std::string& bearer = {}) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address(o.host), o.port));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, o.host);
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  if (res.result_int() >= 300) {
    throw std::runtime_error(target + " answered " + std::to_string(res.result_int()) + ": " + res.body());
  }
  return res.body();
}

// The server's counters we need, from /metrics.
struct ServerSample {
  double cpuSeconds = 0, residentBytes = 0, forwardedPackets = 0, forwardedBytes = 0;
  double pipedPackets = 0, roomsSpanningWorkers = 0;
  int workersUsed = 0;  // media workers with someone placed on them
  double iceTcpConnections = 0;  // open at the server
};

// CPU seconds and resident bytes of another process, from /proc.
ServerSample sampleProcess(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) throw std::runtime_error("no process " + std::to_string(pid));
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; fields >> field && i <= 15; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);
  std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
  double size = 0, resident = 0;
  statm >> size >> resident;
  ServerSample s;
  s.cpuSeconds = ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  s.residentBytes = resident * static_cast<double>(sysconf(_SC_PAGESIZE));
  return s;
}

ServerSample sample(const Options& o) {
  if (o.serverPid > 0) return sampleProcess(o.serverPid);
  const std::string text = request(o, http::verb::get, "/metrics");
  const auto value = [&](const std::string& name) {
    const auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? 0.0 : std::stod(text.substr(at + name.size() + 2));
  };
  ServerSample s{value("process_cpu_seconds_total"), value("process_resident_memory_bytes"),
                 value("parley_rtp_packets_forwarded_total"), value("parley_rtp_bytes_forwarded_total"),
                 value("parley_rtp_packets_piped_total"), value("parley_media_rooms_spanning_workers")};
  const std::string perWorker = "\nparley_media_worker_participants{";
  for (auto at = text.find(perWorker); at != std::string::npos; at = text.find(perWorker, at + 1)) {
    const auto space = text.find(' ', at + 1);
    if (space != std::string::npos && std::stod(text.substr(space + 1)) > 0) s.workersUsed++;
  }
  s.iceTcpConnections = value("parley_ice_tcp_connections");
  return s;
}

double percentile(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

template <typename Done>
bool runUntil(boost::asio::io_context& io, Done done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(10));
  return done();
}

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  auto options = parse(argc, argv, error);
  if (!options) {
    std::cerr << "parley-bench: " << error << '\n';
    return 2;
  }
  const Options& o = *options;
  try {
    std::string cache = o.cacheDir;
    if (cache.empty()) {
      std::string self = argv[0];
      cache = (self.find('/') == std::string::npos ? std::string(".") : self.substr(0, self.rfind('/'))) + "/bench-media";
    }
    const auto media = parley::bench::SyntheticMedia::make(cache);
    const auto certificate = parley::dtls::Certificate::generate();
    boost::asio::io_context io;
    const bool janus = !o.janusHost.empty();
    const tcp::endpoint server(boost::asio::ip::make_address(janus ? o.janusHost : o.host), janus ? o.janusPort : o.port);
    parley::net::Address bindTo;
    if (!parley::net::Address::parse(o.bind, 0, bindTo)) throw std::runtime_error("--bind must be an IP address");
    LoadStats stats;

    const ServerSample idle = sample(o);
    // Rooms: Parley's ids from its REST API, or Janus videorooms.
    std::vector<std::string> rooms;
    std::vector<std::uint64_t> janusRooms;
    for (int r = 0; r < o.rooms; ++r) {
      if (janus) {
        janusRooms.push_back(parley::bench::createJanusRoom(server, (o.publishers + o.rooms - 1) / o.rooms));
      } else {
        const auto room = nlohmann::json::parse(request(o, http::verb::post, "/api/rooms", R"({"name":"parley-bench"})"));
        rooms.push_back(room.at("id").get<std::string>());
        if (o.transcribe) {
          request(o, http::verb::post, "/api/rooms/" + rooms.back() + "/transcription", R"({"action":"start"})",
                  room.at("moderator_token").get<std::string>());
        }
      }
    }
    std::vector<std::unique_ptr<LoadParticipant>> publishers, subscribers;
    std::vector<parley::bench::JanusSignaling*> janusPublishers;
    std::uint32_t seed = 1;
    const auto publisherRole = o.meeting > 0 ? LoadParticipant::Role::Both : LoadParticipant::Role::Publisher;
    for (int i = 0; i < o.publishers; ++i) {
      publishers.push_back(std::make_unique<LoadParticipant>(io, publisherRole, media, certificate, stats, seed++,
                                                             bindTo, o.lossPct / 100, o.rates, o.iceTcp));
      const std::string name = (o.meeting > 0 ? "participant " : "publisher ") + std::to_string(i + 1);
      if (janus) {
        auto signaling = std::make_unique<parley::bench::JanusSignaling>(
            io, server, janusRooms[i % o.rooms], name, parley::bench::JanusSignaling::Role::Publisher);
        janusPublishers.push_back(signaling.get());
        publishers.back()->join(std::move(signaling));
      } else {
        publishers.back()->join(std::make_unique<parley::bench::ParleySignaling>(io, server, rooms[i % o.rooms], name));
      }
    }
    const auto allConnected = [&](auto& list) {
      return std::all_of(list.begin(), list.end(), [](auto& p) { return p->connected(); }) || !stats.failures.empty();
    };
    const auto connectLimit = std::chrono::seconds(20 + o.publishers / 5);
    const auto janusUp = [&] {
      return std::all_of(janusPublishers.begin(), janusPublishers.end(), [](auto* p) { return p->mediaUp(); }) ||
             !stats.failures.empty();
    };
    if (!runUntil(io, [&] { return allConnected(publishers) && janusUp(); }, connectLimit) || !stats.failures.empty()) {
      throw std::runtime_error(stats.failures.empty() ? "publishers did not connect in time" : stats.failures.front());
    }
    for (int i = 0; i < o.subscribers; ++i) {
      subscribers.push_back(std::make_unique<LoadParticipant>(io, LoadParticipant::Role::Subscriber, media, certificate,
                                                              stats, seed++, bindTo, o.lossPct / 100,
                                                              parley::bench::MediaRates{}, o.iceTcp));
      const std::string name = "subscriber " + std::to_string(i + 1);
      if (janus) {
        std::vector<std::uint64_t> feeds;
        for (int p = i % o.rooms; p < o.publishers; p += o.rooms) feeds.push_back(janusPublishers[p]->feedId());
        subscribers.back()->join(std::make_unique<parley::bench::JanusSignaling>(
            io, server, janusRooms[i % o.rooms], name, parley::bench::JanusSignaling::Role::Subscriber, feeds));
      } else {
        subscribers.back()->join(std::make_unique<parley::bench::ParleySignaling>(io, server, rooms[i % o.rooms], name));
      }
      io.poll();
    }
    // Every receiving participant has had its first packet (in a meeting, everyone).
    const auto expectedFirst = static_cast<std::size_t>(o.meeting > 0 ? o.meeting : o.subscribers);
    runUntil(io, [&] { return stats.joinToFirstPacketMs.size() >= expectedFirst || !stats.failures.empty(); },
             std::chrono::seconds(30 + o.meeting / 2));
    if (!stats.failures.empty()) throw std::runtime_error(stats.failures.front());
    if (stats.joinToFirstPacketMs.size() < expectedFirst) {
      // Measuring a server that forwards nothing would report zeros as if they were figures.
      throw std::runtime_error("only " + std::to_string(stats.joinToFirstPacketMs.size()) + " of " +
                               std::to_string(expectedFirst) + " receiving participants got media within " +
                               std::to_string(30 + o.meeting / 2) + " s");
    }
    if (o.meeting > 0) {
      // A meeting is set up when everyone receives everyone else's audio and video: each
      // join renegotiates every other participant's subscriptions, which takes a while.
      const auto everyone = static_cast<std::size_t>(2 * (o.meeting - 1));
      runUntil(io, [&] {
        return !stats.failures.empty() ||
               std::all_of(publishers.begin(), publishers.end(), [&](auto& p) { return p->streamsWithMedia() >= everyone; });
      }, std::chrono::seconds(60 + o.meeting));
      if (!stats.failures.empty()) throw std::runtime_error(stats.failures.front());
    }
    // Let video settle after the key-frame requests of the joins, then measure.
    io.run_for(std::chrono::seconds(1));
    const ServerSample before = sample(o);
    stats.measuring = true;
    const auto start = std::chrono::steady_clock::now();
    io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(o.seconds)));
    stats.measuring = false;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const ServerSample after = sample(o);
    // Packets lost just before the end are being repaired: stop sending, let the last
    // NACKs be answered, then count what is still missing as lost.
    for (auto& p : publishers) p->stopSending();
    io.run_for(std::chrono::milliseconds(500));
    for (auto& s : subscribers) s->finish();
    if (o.meeting > 0) {
      for (auto& p : publishers) p->finish();
    }
    for (auto& p : publishers) p->leave();
    for (auto& s : subscribers) s->leave();
    io.run_for(std::chrono::milliseconds(300));

    // Janus counts nothing for us: what the subscribers received is what it forwarded.
    const double forwarded = janus ? static_cast<double>(stats.delayMicros.size()) : after.forwardedPackets - before.forwardedPackets;
    const double forwardedBytes = janus ? static_cast<double>(stats.bytesMeasured) : after.forwardedBytes - before.forwardedBytes;
    const double cpu = after.cpuSeconds - before.cpuSeconds;
    const int participants = o.meeting > 0 ? o.meeting : o.publishers + o.subscribers;
    nlohmann::json result = {
        {"publishers", o.publishers},
        {"subscribers", o.subscribers},
        {"rooms", o.rooms},
        {"seconds", elapsed},
        {"server_cpu_us_per_packet", forwarded > 0 ? 1e6 * cpu / forwarded : 0.0},
        {"server_cpu_pct", 100 * cpu / elapsed},
        {"forwarded_pps", forwarded / elapsed},
        {"server", janus ? "janus" : "parley"},
        {"piped_pps", (after.pipedPackets - before.pipedPackets) / elapsed},
        {"workers_used", after.workersUsed},
        {"server_ice_tcp_connections", after.iceTcpConnections},
        {"rooms_spanning_workers", after.roomsSpanningWorkers},
        {"forwarded_mbps", 8 * forwardedBytes / elapsed / 1e6},
        {"received_pps", static_cast<double>(stats.delayMicros.size()) / elapsed},
        {"loss_pct", stats.expected ? 100.0 * static_cast<double>(stats.lost) / static_cast<double>(stats.expected) : 0.0},
        {"lost_packets", stats.lost},
        {"streams_received", stats.streamsReceived},
        // Each subscriber receives the audio and video of every publisher of its room.
        {"meeting", o.meeting},
        {"streams_expected", [&] {
           if (o.meeting > 0) return 2 * static_cast<std::uint64_t>(o.meeting) * static_cast<std::uint64_t>(o.meeting - 1);
           std::uint64_t streams = 0;
           for (int i = 0; i < o.subscribers; ++i) {
             const int room = i % o.rooms;
             streams += 2 * static_cast<std::uint64_t>((o.publishers - room + o.rooms - 1) / o.rooms);
           }
           return streams;
         }()},
        {"retransmissions_received", stats.retransmissionsReceived},
        {"simulated_loss_pct", o.lossPct},
        {"transport", o.iceTcp ? "tcp" : "udp"},
        {"transcription", o.transcribe},
        {"dropped_on_purpose", stats.droppedOnPurpose},
        {"nacks_received_by_publishers", stats.nacksReceived},
        {"retransmissions_sent_by_publishers", stats.retransmissionsSent},
        {"nacks_sent", stats.nacksSent},
        {"added_delay_p50_ms", percentile(stats.delayMicros, 0.5) / 1000},
        {"added_delay_p99_ms", percentile(stats.delayMicros, 0.99) / 1000},
        {"rss_mb_per_participant", (after.residentBytes - idle.residentBytes) / 1e6 / participants},
        {"join_to_first_packet_ms", [&] {
           std::vector<std::uint32_t> v;
           for (double ms : stats.joinToFirstPacketMs) v.push_back(static_cast<std::uint32_t>(ms * 1000));
           return percentile(v, 0.5) / 1000;
         }()},
    };
    std::printf("%d publishers, %d subscribers in %d room(s), %.1f s measured\n", o.publishers, o.subscribers, o.rooms,
                elapsed);
    std::printf("server CPU: %.2f us per forwarded packet (%.0f%% of a core)\n", result["server_cpu_us_per_packet"].get<double>(),
                result["server_cpu_pct"].get<double>());
    std::printf("forwarded: %.0f packets/s, %.1f Mbit/s; received by subscribers: %.0f packets/s\n",
                result["forwarded_pps"].get<double>(), result["forwarded_mbps"].get<double>(),
                result["received_pps"].get<double>());
    if (after.roomsSpanningWorkers > 0) {
      std::printf("%.0f room(s) spanning workers (%d workers used): %.0f packets/s piped between workers\n",
                  after.roomsSpanningWorkers, after.workersUsed, result["piped_pps"].get<double>());
    }
    std::printf("loss: %.3f%% (%llu retransmissions received, %llu NACKs sent)\n", result["loss_pct"].get<double>(),
                static_cast<unsigned long long>(stats.retransmissionsReceived),
                static_cast<unsigned long long>(stats.nacksSent));
    if (o.lossPct > 0) {
      std::printf("simulated loss %.1f%% of video each way: %llu packets dropped; publishers got %llu NACKs and resent %llu\n",
                  o.lossPct, static_cast<unsigned long long>(stats.droppedOnPurpose),
                  static_cast<unsigned long long>(stats.nacksReceived),
                  static_cast<unsigned long long>(stats.retransmissionsSent));
    }
    std::printf("delay send to receive: p50 %.2f ms, p99 %.2f ms\n", result["added_delay_p50_ms"].get<double>(),
                result["added_delay_p99_ms"].get<double>());
    std::printf("server memory: %.2f MB per participant; join to first media packet: %.0f ms (median)\n",
                result["rss_mb_per_participant"].get<double>(), result["join_to_first_packet_ms"].get<double>());
    if (o.json) std::printf("%s\n", result.dump().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "parley-bench: " << e.what() << '\n';
    return 1;
  }
}
