#pragma once
// `parley serve` settings: defaults, then environment variables (PARLEY_*), then flags.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parley::app {

struct ServeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string dataDir = "./data";
  std::string store;  // postgresql://... or sqlite:PATH; empty: SQLite in dataDir
  std::string cluster;      // redis://...: a node of a cluster; empty: a single server
  std::string nodeAddress;  // this node's IP for the other nodes of the cluster
  std::uint16_t udpPortMin = 40000;
  std::uint16_t udpPortMax = 40099;
  bool iceTcp = true;             // --tcp-ports off: no ICE-TCP
  std::uint16_t tcpPortMin = 0;   // 0: right after the UDP range (tcpPorts())
  std::uint16_t tcpPortMax = 0;
  unsigned mediaWorkers = 0;             // 0: one per core
  std::size_t workerStreams = 2000;      // a room spills onto another worker past this
  std::size_t nodeStreams = 0;           // on a cluster, a room spills onto another node past this (0: never)
  // Addresses announced to clients for media (several: repeat --public-ip or list them with
  // commas); empty: the addresses media listens on (see MediaAddresses.h).
  std::vector<std::string> publicIps;
  std::vector<std::string> publicUrls;     // how people reach the server; their hosts are ours
  std::vector<std::string> trustedProxies;  // IPs or networks whose X-Forwarded-* we believe
  std::size_t maxConnectionsPerAddress = 1000;
  std::string tlsCert;  // PEM certificate chain; with tlsKey, HTTPS and WSS on `port`
  std::string tlsKey;
  std::vector<std::string> turnUrls;  // TURN relays handed to participants
  std::string turnSecret;             // coturn's static-auth-secret
  unsigned turnTtlSeconds = 12 * 3600;
  // Sign-in with an OpenID Connect provider (ProConnect, Keycloak...); off when issuer is empty.
  std::string oidcIssuer;
  std::string oidcClientId;
  std::string oidcClientSecret;
  std::string oidcScopes = "openid profile email";
  std::string oidcAcr;  // required authentication context, if any
  // Who may create rooms: "anyone" or "signed-in"; unset: signed-in when sign-in is on.
  std::string roomCreation;
  bool roomCreationSignedIn() const { return roomCreation.empty() ? !oidcIssuer.empty() : roomCreation == "signed-in"; }
  std::string webRoot;   // empty: the build's web/dist
  std::string logLevel = "info";
  std::string asr = "pocketsphinx";  // live transcription's recognizer: pocketsphinx or openai
  std::string asrUrl;
  std::string asrModel = "whisper-1";
  // Meeting summaries: an OpenAI-compatible chat completions server; empty: none.
  std::string llmUrl;
  std::string llmModel;
  std::string llmApiKeyEnv = "PARLEY_LLM_API_KEY";  // the variable holding its key, if any
  // Recordings: where they are written (empty: recording is off), how long they are kept
  // (days; 0: until deleted), how many rooms record at once, the longest one lasts
  // (minutes; 0: no limit) and the space they leave free on their disk (MB).
  std::string recordings;
  unsigned recordingRetentionDays = 0;
  std::size_t maxRecordings = 8;
  unsigned recordingMaxMinutes = 240;
  unsigned recordingMinFreeMb = 512;
  std::string language = "en";
  bool diarizeTracks = false;  // split shared microphones into voices
  std::size_t maxTranscriptions = 4;     // rooms transcribed at once, server-wide
  unsigned recognizers = 4;              // recognition threads (and recognizers), server-wide
  unsigned emptyRoomTimeoutSeconds = 180;  // an empty room's transcription stops after this

  // The ICE-TCP port range in effect ({0, 0}: none).
  std::pair<std::uint16_t, std::uint16_t> tcpPorts() const;
};

// What is wrong with a combination of settings (each valid alone), or nothing.
std::optional<std::string> serveOptionsConflict(const ServeOptions& options);

struct OptionError {
  std::string message;
};

// Parses `args` (without the program and command names) over `environment` lookups.
// Returns the options, or an error for the user; sets `helpRequested` for --help.
std::optional<ServeOptions> parseServeOptions(const std::vector<std::string>& args,
                                              const char* (*getenv)(const char*), std::string& error,
                                              bool& helpRequested);

const char* serveUsage();

}  // namespace parley::app
