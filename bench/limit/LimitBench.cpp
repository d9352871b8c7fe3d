// limit_forwarder: the cost floor of forwarding a load, to set Parley's cost against
// (scripts/bench-limit runs both on the same shapes, one after the other). Synthetic
// participants on loopback send SRTP (the load generator's Opus and VP8, one or three
// layers) to LimitWorker threads, which forward each packet to the others of its room; the
// report is the workers' CPU per forwarded packet. A benchmark: it fails only when it
// cannot run.
//   limit_forwarder --rooms R --publishers P --subscribers S [--meeting] [--simulcast]
//                   [--capped PCT] [--workers W] [--seconds T] [--video-fps F]
//                   [--audio-interval-ms MS] [--cache DIR] [--pin]
// P and S are per room; --meeting: publishers also receive everyone else (as in a meeting);
// with --simulcast a subscriber receives the largest layer, or the smallest when capped.
// Receivers decrypt what they get, as parley-bench's do, so the machine is as busy as when
// Parley is measured. --pin: the workers on CPU 0 and the synthetic participants on CPU 1
// (scripts/bench-load --limit pins Parley and parley-bench the same way).
#include <pthread.h>
#include <time.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "LimitForwarder.h"
#include "common/Bytes.h"
#include "common/Clock.h"
#include "load/SyntheticMedia.h"

namespace {

using parley::bench::LimitEndpoint;
using parley::bench::LimitWorker;
namespace net = parley::net;
namespace srtp = parley::srtp;

struct Options {
  int rooms = 1, publishers = 1, subscribers = 10, workers = 2;
  bool meeting = false, simulcast = false, pin = false;
  double cappedPct = 0, seconds = 10, videoFps = 30, audioIntervalMs = 20;
  std::string cache = "build/bench-media";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&] {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--rooms") o.rooms = std::stoi(value());
    else if (arg == "--publishers") o.publishers = std::stoi(value());
    else if (arg == "--subscribers") o.subscribers = std::stoi(value());
    else if (arg == "--workers") o.workers = std::stoi(value());
    else if (arg == "--meeting") o.meeting = true;
    else if (arg == "--simulcast") o.simulcast = true;
    else if (arg == "--pin") o.pin = true;
    else if (arg == "--capped") o.cappedPct = std::stod(value());
    else if (arg == "--seconds") o.seconds = std::stod(value());
    else if (arg == "--video-fps") o.videoFps = std::stod(value());
    else if (arg == "--audio-interval-ms") o.audioIntervalMs = std::stod(value());
    else if (arg == "--cache") o.cache = value();
    else throw std::runtime_error("unknown option " + arg);
  }
  if (o.rooms < 1 || o.publishers < 1 || o.subscribers < 0 || o.workers < 1 || o.seconds <= 0 || o.videoFps <= 0 ||
      o.audioIntervalMs < 5) {
    throw std::runtime_error("need rooms, publishers and workers of at least 1, a positive duration and rates");
  }
  return o;
}

constexpr std::uint8_t kOpus = 111, kVp8 = 96;
constexpr std::size_t kMaxPayload = 1100, kTrailer = 8;

// One synthetic participant on the generator's side: its socket, and when it publishes,
// its SRTP toward the forwarder and its streams' sequence numbers.
struct Participant {
  std::unique_ptr<net::UdpSocket> socket;
  std::unique_ptr<srtp::SrtpSession> outbound, inbound;  // toward the forwarder, from it
  std::uint32_t audioSsrc = 0;
  std::vector<std::uint32_t> videoSsrcs;
  std::uint16_t audioSeq = 0;
  std::vector<std::uint16_t> videoSeqs;
  std::uint32_t audioTimestamp = 0, videoTimestamp = 0;
  std::size_t audioIndex = 0, videoIndex = 0;
  net::Address forwarder;
  std::uint64_t received = 0, undecryptable = 0;
};

void sendRtp(Participant& p, std::uint8_t payloadType, std::uint32_t ssrc, std::uint16_t& seq, std::uint32_t timestamp,
             bool marker, const std::uint8_t* prefix, std::size_t prefixLength, const std::uint8_t* payload,
             std::size_t length) {
  std::uint8_t* packet = p.socket->sendBuffer();
  packet[0] = 0x80;
  packet[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | payloadType);
  parley::write16(packet + 2, seq++);
  parley::write32(packet + 4, timestamp);
  parley::write32(packet + 8, ssrc);
  std::size_t size = 12;
  std::memcpy(packet + size, prefix, prefixLength);
  size += prefixLength;
  std::memcpy(packet + size, payload, length);
  size += length;
  const auto now = static_cast<std::uint64_t>(parley::steadyMicrosNow());
  parley::write32(packet + size, static_cast<std::uint32_t>(now >> 32));
  parley::write32(packet + size + 4, static_cast<std::uint32_t>(now));
  size += kTrailer;
  if (p.outbound->protectRtp(packet, size, net::kMaxDatagram) == srtp::SrtpError::Ok) p.socket->commit(size, p.forwarder);
}

void sendVideoFrame(Participant& p, const parley::bench::SyntheticMedia& media) {
  const std::size_t index = p.videoIndex++;
  for (std::size_t l = 0; l < p.videoSsrcs.size(); ++l) {
    const auto& frames = media.layers.empty() ? media.video : media.layers[l];
    const auto& frame = frames[index % frames.size()];
    for (std::size_t at = 0; at < frame.data.size(); at += kMaxPayload) {
      const std::size_t n = std::min(kMaxPayload, frame.data.size() - at);
      const std::uint8_t descriptor[4] = {static_cast<std::uint8_t>(at == 0 ? 0x90 : 0x80), 0x80,
                                          static_cast<std::uint8_t>(0x80 | (index >> 8 & 0x7f)),
                                          static_cast<std::uint8_t>(index)};
      sendRtp(p, kVp8, p.videoSsrcs[l], p.videoSeqs[l], p.videoTimestamp, at + n == frame.data.size(), descriptor,
              sizeof descriptor, frame.data.data() + at, n);
    }
  }
  p.videoTimestamp += 3000;
}

// Every `interval`, on time (a due time that advances, not a sleep after each send).
void every(boost::asio::steady_timer& timer, std::chrono::steady_clock::time_point due,
           std::chrono::microseconds interval, std::function<void()> send) {
  timer.expires_at(due);
  timer.async_wait([&timer, due, interval, send](boost::system::error_code ec) {
    if (ec) return;
    send();
    every(timer, due + interval, interval, send);
  });
}

// Runs the calling thread on `cpu` only.
void pinTo(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

double threadCpuSeconds(std::thread& thread) {
  clockid_t clock;
  timespec ts{};
  if (pthread_getcpuclockid(thread.native_handle(), &clock) != 0 || clock_gettime(clock, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const auto media = parley::bench::SyntheticMedia::make(o.cache, o.simulcast);
    net::Address loopback;
    net::Address::parse("127.0.0.1", 0, loopback);
    std::vector<std::unique_ptr<LimitWorker>> workers;
    for (int w = 0; w < o.workers; ++w) workers.push_back(std::make_unique<LimitWorker>(loopback));

    boost::asio::io_context io;
    std::mt19937 random(7);
    const auto newKey = [&] {
      std::vector<std::uint8_t> key(28);
      for (auto& b : key) b = static_cast<std::uint8_t>(random());
      return key;
    };
    const auto profile = srtp::SrtpProfile::AeadAes128Gcm;  // what browsers negotiate with Parley
    const auto session = [&](const std::vector<std::uint8_t>& key, srtp::SrtpSession::Direction d) {
      return std::make_unique<srtp::SrtpSession>(profile, std::span(key).first(16), std::span(key).subspan(16, 12), d);
    };
    const int perRoom = o.publishers + o.subscribers;
    std::vector<LimitEndpoint> endpoints(static_cast<std::size_t>(o.rooms * perRoom));
    std::vector<Participant> participants(endpoints.size());
    std::size_t receivers = 0, capped = 0;
    for (int r = 0; r < o.rooms; ++r) {
      LimitWorker& worker = *workers[static_cast<std::size_t>(r % o.workers)];
      for (int k = 0; k < perRoom; ++k) {
        const auto i = static_cast<std::size_t>(r * perRoom + k);
        LimitEndpoint& e = endpoints[i];
        Participant& p = participants[i];
        const bool publishes = k < o.publishers;
        p.socket = std::make_unique<net::UdpSocket>(io, loopback);
        p.socket->start([&p](std::uint8_t* data, std::size_t length, const net::Address&) {
          if (p.inbound && p.inbound->unprotectRtp(data, length) == srtp::SrtpError::Ok) p.received++;
          else p.undecryptable++;
        });
        net::Address::parse("127.0.0.1", p.socket->localPort(), e.address);
        net::Address::parse("127.0.0.1", worker.port(), p.forwarder);
        e.room = static_cast<std::size_t>(r);
        e.receives = !publishes || o.meeting;
        const auto in = newKey(), out = newKey();
        e.inbound = session(in, srtp::SrtpSession::Direction::Inbound);
        e.outbound = session(out, srtp::SrtpSession::Direction::Outbound);
        p.inbound = session(out, srtp::SrtpSession::Direction::Inbound);
        if (e.receives) {
          // Spread as parley-bench does: receiver n is capped when the running share crosses a whole one.
          const bool cap = std::floor(static_cast<double>(receivers + 1) * o.cappedPct / 100) >
                           std::floor(static_cast<double>(receivers) * o.cappedPct / 100);
          e.wantedLayer = cap ? 0 : 2;
          capped += cap;
          receivers++;
        }
        if (publishes) {
          p.outbound = session(in, srtp::SrtpSession::Direction::Outbound);
          p.audioSsrc = random();
          for (int l = 0; l < (o.simulcast ? 3 : 1); ++l) {
            p.videoSsrcs.push_back(random());
            p.videoSeqs.push_back(static_cast<std::uint16_t>(random()));
          }
          e.layerSsrcs = p.videoSsrcs;
        }
        worker.add(e);
      }
    }
    std::vector<std::thread> threads;
    for (auto& w : workers) {
      threads.emplace_back([&w, pin = o.pin] {
        if (pin) pinTo(0);
        w->run();
      });
    }
    if (o.pin) pinTo(1);

    std::vector<std::unique_ptr<boost::asio::steady_timer>> timers;
    const auto start = std::chrono::steady_clock::now();
    const auto audioInterval = std::chrono::microseconds(static_cast<std::int64_t>(o.audioIntervalMs * 1000));
    const auto videoInterval = std::chrono::microseconds(static_cast<std::int64_t>(1e6 / o.videoFps));
    for (std::size_t i = 0; i < participants.size(); ++i) {
      Participant& p = participants[i];
      if (!p.outbound) continue;
      // Publishers start spread over one frame interval, as real ones are.
      const auto offset = videoInterval * static_cast<std::int64_t>(i % 16) / 16;
      timers.push_back(std::make_unique<boost::asio::steady_timer>(io));
      every(*timers.back(), start + offset, audioInterval, [&p, &media] {
        const auto& packet = media.audio[p.audioIndex++ % media.audio.size()];
        sendRtp(p, kOpus, p.audioSsrc, p.audioSeq, p.audioTimestamp, false, nullptr, 0, packet.data(), packet.size());
        p.audioTimestamp += 960;
      });
      timers.push_back(std::make_unique<boost::asio::steady_timer>(io));
      every(*timers.back(), start + offset, videoInterval, [&p, &media] { sendVideoFrame(p, media); });
    }
    const auto forwarded = [&] {
      std::uint64_t n = 0;
      for (auto& w : workers) n += w->forwarded();
      return n;
    };
    const auto cpu = [&] {
      double s = 0;
      for (auto& t : threads) s += threadCpuSeconds(t);
      return s;
    };
    io.run_for(std::chrono::seconds(2));  // warm up: SRTP streams known, caches warm
    const double cpuBefore = cpu();
    const std::uint64_t forwardedBefore = forwarded();
    std::uint64_t receivedBefore = 0;
    for (auto& p : participants) receivedBefore += p.received;
    const auto measureStart = std::chrono::steady_clock::now();
    io.run_for(std::chrono::milliseconds(static_cast<std::int64_t>(o.seconds * 1000)));
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - measureStart).count();
    const double cpuUsed = cpu() - cpuBefore;
    const auto forwardedCount = static_cast<double>(forwarded() - forwardedBefore);
    std::uint64_t received = 0, failures = 0;
    for (auto& p : participants) {
      received += p.received;
      failures += p.undecryptable;
    }
    for (auto& w : workers) failures += w->failures();
    for (auto& w : workers) w->stop();
    for (auto& t : threads) t.join();
    if (forwardedCount <= 0) throw std::runtime_error("nothing was forwarded");
    const nlohmann::json result = {
        {"server", "limit"},
        {"rooms", o.rooms},
        {"publishers_per_room", o.publishers},
        {"subscribers_per_room", o.subscribers},
        {"meeting", o.meeting},
        {"simulcast", o.simulcast},
        {"capped_receivers", capped},
        {"workers", o.workers},
        {"seconds", elapsed},
        {"cpu_us_per_packet", 1e6 * cpuUsed / forwardedCount},
        {"cpu_pct", 100 * cpuUsed / elapsed},
        {"forwarded_pps", forwardedCount / elapsed},
        {"received_pps", static_cast<double>(received - receivedBefore) / elapsed},
        {"srtp_failures", failures},
    };
    std::printf("limit forwarder: %.2f us of CPU per forwarded packet, %.0f packets/s forwarded (%.0f%% of a core)\n",
                result["cpu_us_per_packet"].get<double>(), result["forwarded_pps"].get<double>(),
                result["cpu_pct"].get<double>());
    std::printf("%s\n", result.dump().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "limit_forwarder: " << e.what() << '\n';
    return 1;
  }
}
