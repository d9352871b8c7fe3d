#pragma once
// parley-bench's command line.
#include <optional>
#include <string>

#include "LoadParticipant.h"

namespace parley::bench {

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int publishers = 1;
  int subscribers = 10;
  int rooms = 1;
  double seconds = 10;
  double lossPct = 0;  // simulated loss of video packets, each way
  bool transcribe = false;  // live transcription on in every room (Parley)
  bool record = false;      // every room recorded while measuring (Parley, serve --recordings)
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
  bool simulcast = false;  // publishers send three video layers
  double cappedPct = 0;    // the share of subscribers whose downlink is capped while measuring
  double capKbps = 500;
};

// The options, or nullopt with `error` saying what is wrong (--help prints the usage and exits).
std::optional<Options> parseOptions(int argc, char** argv, std::string& error);

}  // namespace parley::bench
