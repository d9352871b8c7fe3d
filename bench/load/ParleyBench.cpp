// parley-bench: synthetic WebRTC load against a running `parley serve` on loopback, with
// the server's cost per forwarded packet and the delay it adds. A benchmark, not a test:
// it reports figures and fails only when it cannot run.
#include <algorithm>
#include <cmath>
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

#include "BenchOptions.h"
#include "LoadParticipant.h"
#include "QualityReport.h"

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using parley::bench::LoadParticipant;
using parley::bench::LoadStats;
using parley::bench::Options;

namespace {

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
  double recordingWriterCpuSeconds = 0, recordingPacketsDropped = 0;
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
  s.recordingWriterCpuSeconds = value("parley_recording_writer_cpu_seconds_total");
  s.recordingPacketsDropped = value("parley_recording_packets_dropped");
  return s;
}

double percentile(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// Video streams each subscriber receives: its room's publishers.
double streamsPerSubscriber(const Options& o) {
  return o.meeting > 0 ? o.meeting - 1 : static_cast<double>(o.publishers) / o.rooms;
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
  auto options = parley::bench::parseOptions(argc, argv, error);
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
    const auto media = parley::bench::SyntheticMedia::make(cache, o.simulcast);
    const auto certificate = parley::dtls::Certificate::generate();
    boost::asio::io_context io;
    const bool janus = !o.janusHost.empty();
    const tcp::endpoint server(boost::asio::ip::make_address(janus ? o.janusHost : o.host), janus ? o.janusPort : o.port);
    parley::net::Address bindTo;
    if (!parley::net::Address::parse(o.bind, 0, bindTo)) throw std::runtime_error("--bind must be an IP address");
    LoadStats stats;
    parley::bench::ParticipantOptions publisherOptions{o.lossPct / 100, o.rates, o.iceTcp, o.simulcast};
    parley::bench::ParticipantOptions subscriberOptions{o.lossPct / 100, {}, o.iceTcp, false};

    const ServerSample idle = sample(o);
    // Rooms: Parley's ids from its REST API, or Janus videorooms.
    std::vector<std::string> rooms, moderatorTokens;
    std::vector<std::uint64_t> janusRooms;
    for (int r = 0; r < o.rooms; ++r) {
      if (janus) {
        janusRooms.push_back(parley::bench::createJanusRoom(server, (o.publishers + o.rooms - 1) / o.rooms));
      } else {
        // Room creation is rate-limited per address (30 at once, then one a second): many
        // rooms wait for their turn, as the 429's Retry-After says.
        std::string created;
        for (int attempt = 0; created.empty(); ++attempt) {
          try {
            created = request(o, http::verb::post, "/api/rooms", R"({"name":"parley-bench"})");
          } catch (const std::runtime_error& e) {
            if (attempt >= 120 || std::string(e.what()).find("answered 429") == std::string::npos) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
          }
        }
        const auto room = nlohmann::json::parse(created);
        rooms.push_back(room.at("id").get<std::string>());
        moderatorTokens.push_back(room.at("moderator_token").get<std::string>());
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
                                                             bindTo, publisherOptions));
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
    // A recording stops when its room empties, so it starts once the publishers are in.
    for (std::size_t r = 0; o.record && r < rooms.size(); ++r) {
      request(o, http::verb::post, "/api/rooms/" + rooms[r] + "/recording", R"({"action":"start"})",
              moderatorTokens[r]);
    }
    for (int i = 0; i < o.subscribers; ++i) {
      subscribers.push_back(std::make_unique<LoadParticipant>(io, LoadParticipant::Role::Subscriber, media, certificate,
                                                              stats, seed++, bindTo, subscriberOptions));
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
    const auto expectedFirst = static_cast<std::size_t>(o.meeting > 0 ? o.publishers : o.subscribers);
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
    // Let video settle after the key-frame requests of the joins, then measure. With
    // simulcast, every subscriber first climbs to the largest layer (its downlink estimate
    // starts below what the largest layer needs, and probes find more).
    io.run_for(std::chrono::seconds(1));
    double climbSeconds = 0;
    std::size_t onLargest = 0;
    std::vector<LoadParticipant*> receivers;  // subscribers, or in meetings everyone
    for (auto& p : o.meeting > 0 ? publishers : subscribers) receivers.push_back(p.get());
    if (o.simulcast) {
      const auto climbStart = std::chrono::steady_clock::now();
      const auto countLargest = [&] {
        return static_cast<std::size_t>(
            std::count_if(receivers.begin(), receivers.end(), [](auto* r) { return r->recentLayer() == 2; }));
      };
      runUntil(io, [&] { return countLargest() == receivers.size(); }, std::chrono::seconds(30));
      climbSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - climbStart).count();
      onLargest = countLargest();
    }
    std::vector<LoadParticipant*> capped, uncapped;
    for (std::size_t i = 0; i < receivers.size(); ++i) {
      // Spread evenly: receiver i is capped when the running share crosses a whole one.
      const bool cap = std::floor(static_cast<double>(i + 1) * o.cappedPct / 100) >
                       std::floor(static_cast<double>(i) * o.cappedPct / 100);
      (cap ? capped : uncapped).push_back(receivers[i]);
    }
    const ServerSample before = sample(o);
    for (auto* r : receivers) r->startMeasurement();
    for (auto* s : capped) s->capDownlink(o.capKbps * 1000);
    stats.measuring = true;
    const auto start = std::chrono::steady_clock::now();
    io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(o.seconds)));
    stats.measuring = false;
    for (auto* r : receivers) r->endMeasurement();
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
    const int participants = o.publishers + o.subscribers;
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
           if (o.meeting > 0) return 2 * static_cast<std::uint64_t>(o.rooms * o.meeting) * static_cast<std::uint64_t>(o.meeting - 1);
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
        {"recording", o.record},
        {"recording_writer_cpu_us_per_packet",
         forwarded > 0 ? 1e6 * (after.recordingWriterCpuSeconds - before.recordingWriterCpuSeconds) / forwarded : 0.0},
        {"recording_packets_dropped", after.recordingPacketsDropped},
        {"dropped_on_purpose", stats.droppedOnPurpose},
        {"nacks_received_by_publishers", stats.nacksReceived},
        {"retransmissions_sent_by_publishers", stats.retransmissionsSent},
        {"nacks_sent", stats.nacksSent},
        {"added_delay_p50_ms", percentile(stats.delayMicros, 0.5) / 1000},
        {"added_delay_p99_ms", percentile(stats.delayMicros, 0.99) / 1000},
        {"rss_mb_per_participant", (after.residentBytes - idle.residentBytes) / 1e6 / participants},
        {"simulcast", o.simulcast},
        {"layers_kbps", [&] {
           std::vector<double> kbps;
           for (std::size_t l = 0; l < (o.simulcast ? 3u : 1u); ++l)
             kbps.push_back(8.0 * static_cast<double>(stats.layerBytesSent[l]) / elapsed / 1000 / o.publishers);
           return kbps;
         }()},
        {"climb_to_largest_s", climbSeconds},
        {"receivers_on_largest_before_cap", onLargest},
        {"capped_subscribers", capped.size()},
        {"cap_kbps", o.capKbps},
        {"capped", parley::bench::qualityReport(capped, elapsed, streamsPerSubscriber(o))},
        {"uncapped", parley::bench::qualityReport(uncapped, elapsed, streamsPerSubscriber(o))},
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
    if (o.simulcast || o.cappedPct > 0) parley::bench::printQuality(result);
    if (o.json) std::printf("%s\n", result.dump().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "parley-bench: " << e.what() << '\n';
    return 1;
  }
}
