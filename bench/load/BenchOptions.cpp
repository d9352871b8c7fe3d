#include "BenchOptions.h"

#include <boost/asio/ip/address.hpp>
#include <cstdlib>
#include <iostream>

namespace parley::bench {

namespace {

const char* kUsage =
    "Usage: parley-bench --url http://127.0.0.1:PORT [--publishers P] [--subscribers S] [--rooms R]\n"
    "                    [--seconds T] [--loss PCT] [--transport udp|tcp] [--transcribe] [--record] [--json]\n"
    "                    [--cache DIR]\n"
    "                    [--simulcast [--capped PCT] [--cap-kbps K]]\n"
    "       parley-bench --janus ws://HOST:PORT --server-pid PID [--bind IP] [--netns-target] [same options]\n"
    "       parley-bench --url http://127.0.0.1:PORT --meeting N [--rooms R] [--audio-interval-ms MS] [--video-fps F] ...\n"
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
    "--simulcast: publishers send their video in three layers (160x90 at 150 kbit/s, 320x180 at\n"
    "500 kbit/s, 640x360 at 1.5 Mbit/s) and subscribers send transport-wide CC feedback; the\n"
    "run waits until every subscriber receives the largest layer.\n"
    "--capped PCT limits that share of the subscribers' downlinks to --cap-kbps (default 500)\n"
    "when the measurement starts (a bottleneck with a 200 ms queue on the generator's side), and\n"
    "the report gives frames decoded, freezes, loss and settling times of capped and other\n"
    "subscribers, and each layer's bitrate (with or without simulcast).\n"
    "--transcribe starts live transcription in each room first (the publishers' audio is a\n"
    "voice-like tone, which keeps the recognizers busy).\n"
    "--record records each room once its publishers are in (the server needs --recordings DIR);\n"
    "the report adds the recordings' writer CPU and the packets their queues dropped.\n"
    "--meeting N: rooms (one, or --rooms R) where each of N participants publishes audio and video\n"
    "and receives everyone else's, as in a real meeting (2 x N x (N-1) streams a room); --audio-interval-ms and\n"
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

}  // namespace

std::optional<Options> parseOptions(int argc, char** argv, std::string& error) {
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
      } else if (arg == "--record") {
        o.record = true;
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
      } else if (arg == "--simulcast") {
        o.simulcast = true;
      } else if (arg == "--capped") {
        o.cappedPct = std::stod(value());
        if (o.cappedPct < 0 || o.cappedPct > 100) return error = "--capped is a percentage from 0 to 100", std::nullopt;
      } else if (arg == "--cap-kbps") {
        o.capKbps = std::stod(value());
        if (o.capKbps < 50 || o.capKbps > 100000) return error = "--cap-kbps is from 50 to 100000", std::nullopt;
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
    if (o.rooms * o.meeting > 2000) return error = "--meeting N --rooms R: at most 2000 participants", std::nullopt;
    o.publishers = o.meeting * o.rooms;
    o.subscribers = 0;
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
  if (!o.janusHost.empty() && o.simulcast) return error = "--simulcast is for Parley only", std::nullopt;
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


}  // namespace parley::bench
