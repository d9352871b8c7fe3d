#include "app/Options.h"

#include <boost/asio/ip/address.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>

#include "auth/ProviderMetadata.h"
#include "common/ParseNumber.h"
#include "cluster/RedisConnection.h"
#include "http/HttpPolicy.h"
#include "signaling/IceServers.h"

namespace parley::app {

namespace {

struct Setting {
  const char* flag;
  const char* env;
  bool (*apply)(ServeOptions&, const std::string&, std::string& error);
  bool isSwitch = false;  // takes no value on the command line (`--flag`, `--flag=false`)
  // Set for a list that repeated flags add to: the first flag replaces what the
  // environment said.
  void (*clear)(ServeOptions&) = nullptr;
};

bool parseSwitch(const std::string& text, bool& out) {
  for (const char* yes : {"1", "true", "yes", "on"}) if (text == yes) return out = true, true;
  for (const char* no : {"0", "false", "no", "off"}) if (text == no) return out = false, true;
  return false;
}

bool parsePort(const std::string& text, std::uint16_t& out) {
  return parseNumberInRange<std::uint16_t>(text, 0, 65535, out);
}

// "LO-HI", ports from 1 with LO <= HI.
bool parsePortRange(const std::string& text, std::uint16_t& lo, std::uint16_t& hi) {
  const auto dash = text.find('-');
  std::uint16_t first = 0, last = 0;
  if (dash == std::string::npos || !parsePort(text.substr(0, dash), first) || !parsePort(text.substr(dash + 1), last) ||
      first == 0 || first > last) {
    return false;
  }
  lo = first;
  hi = last;
  return true;
}

// "a,b , c" into its non-empty items.
std::vector<std::string> commaList(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(item);
    start = end + 1;
  }
  return items;
}

bool isIpAddress(const std::string& text) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(text, ec);
  return !ec;
}

bool isUnspecified(const std::string& text) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(text, ec);
  return !ec && address.is_unspecified();
}

constexpr std::size_t kMaxPublicIps = 8;

const Setting kSettings[] = {
    {"--host", "PARLEY_HOST",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!isIpAddress(v)) return e = "--host must be an IP address, not \"" + v + "\"", false;
       o.host = v;
       return true;
     }},
    {"--port", "PARLEY_PORT",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parsePort(v, o.port)) return e = "--port must be a number from 0 to 65535, not \"" + v + "\"", false;
       return true;
     }},
    {"--data", "PARLEY_DATA",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.empty()) return e = "--data must name a folder", false;
       o.dataDir = v;
       return true;
     }},
    {"--store", "PARLEY_STORE",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!v.starts_with("postgresql://") && !v.starts_with("postgres://") && !v.starts_with("sqlite:")) {
         return e = "--store must be postgresql://USER@HOST[:PORT]/DB or sqlite:PATH, not \"" + v + "\"", false;
       }
       o.store = v;
       return true;
     }},
    {"--cluster", "PARLEY_CLUSTER",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       std::string why;
       if (!cluster::parseRedisUrl(v, why)) return e = "--cluster " + why, false;
       o.cluster = v;
       return true;
     }},
    {"--node-address", "PARLEY_NODE_ADDRESS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!isIpAddress(v) || isUnspecified(v)) {
         return e = "--node-address must be this node's IP address that the other nodes reach, not \"" + v + "\"", false;
       }
       o.nodeAddress = v;
       return true;
     }},
    {"--udp-ports", "PARLEY_UDP_PORTS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parsePortRange(v, o.udpPortMin, o.udpPortMax)) {
         return e = "--udp-ports must be a range LO-HI of UDP ports, like 40000-40099, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--tcp-ports", "PARLEY_TCP_PORTS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       o.iceTcp = v != "off";
       if (o.iceTcp && !parsePortRange(v, o.tcpPortMin, o.tcpPortMax)) {
         return e = "--tcp-ports must be a range LO-HI of TCP ports, like 40100-40199, or off, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--media-workers", "PARLEY_MEDIA_WORKERS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange(v, 0u, 256u, o.mediaWorkers)) {
         return e = "--media-workers must be a number from 0 (one per core) to 256, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--node-streams", "PARLEY_NODE_STREAMS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange<std::size_t>(v, 0, 100000000, o.nodeStreams)) {
         return e = "--node-streams must be a number of streams (0: no limit), not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--worker-streams", "PARLEY_WORKER_STREAMS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange<std::size_t>(v, 1, 10000000, o.workerStreams)) {
         return e = "--worker-streams must be a positive number of streams, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--public-ip", "PARLEY_PUBLIC_IP",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       const auto ips = commaList(v);
       if (ips.empty()) return e = "--public-ip needs an IP address", false;
       for (const auto& ip : ips) {
         if (!isIpAddress(ip) || isUnspecified(ip)) {
           return e = "--public-ip must be IP addresses clients can reach, not \"" + ip + "\"", false;
         }
         if (std::find(o.publicIps.begin(), o.publicIps.end(), ip) == o.publicIps.end()) o.publicIps.push_back(ip);
       }
       if (o.publicIps.size() > kMaxPublicIps) {
         return e = "--public-ip takes at most " + std::to_string(kMaxPublicIps) + " addresses", false;
       }
       return true;
     },
     false, [](ServeOptions& o) { o.publicIps.clear(); }},
    {"--oidc-issuer", "PARLEY_OIDC_ISSUER",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!auth::isAcceptableProviderUrl(v)) {
         return e = "--oidc-issuer must be an https URL (http only on loopback), not \"" + v + "\"", false;
       }
       o.oidcIssuer = v;
       return true;
     }},
    {"--oidc-client-id", "PARLEY_OIDC_CLIENT_ID",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.empty() || v.size() > 256) return e = "--oidc-client-id must be 1 to 256 characters", false;
       o.oidcClientId = v;
       return true;
     }},
    {"--oidc-client-secret", "PARLEY_OIDC_CLIENT_SECRET",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.empty() || v.size() > 1024) return e = "--oidc-client-secret must be 1 to 1024 characters", false;
       o.oidcClientSecret = v;
       return true;
     }},
    {"--oidc-scopes", "PARLEY_OIDC_SCOPES",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if ((" " + v + " ").find(" openid ") == std::string::npos || v.size() > 512) {
         return e = "--oidc-scopes must include openid, like \"openid given_name usual_name email\"", false;
       }
       o.oidcScopes = v;
       return true;
     }},
    {"--oidc-acr", "PARLEY_OIDC_ACR",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.size() > 256) return e = "--oidc-acr is too long", false;
       o.oidcAcr = v;
       return true;
     }},
    {"--room-creation", "PARLEY_ROOM_CREATION",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v != "anyone" && v != "signed-in") return e = "--room-creation must be anyone or signed-in, not \"" + v + "\"", false;
       o.roomCreation = v;
       return true;
     }},
    {"--public-url", "PARLEY_PUBLIC_URL",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       o.publicUrls.clear();
       for (const auto& url : commaList(v)) {
         if (!http::hostOfUrl(url)) return e = "--public-url must be an http(s) URL like https://meet.example.fr, not \"" + url + "\"", false;
         o.publicUrls.push_back(url);
       }
       return true;
     }},
    {"--trusted-proxy", "PARLEY_TRUSTED_PROXY",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       o.trustedProxies.clear();
       for (const auto& network : commaList(v)) {
         if (!http::IpNetwork::parse(network)) {
           return e = "--trusted-proxy must be IP addresses or networks like 10.0.0.0/8, not \"" + network + "\"", false;
         }
         o.trustedProxies.push_back(network);
       }
       return true;
     }},
    {"--max-connections-per-address", "PARLEY_MAX_CONNECTIONS_PER_ADDRESS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange<std::size_t>(v, 1, 1000000, o.maxConnectionsPerAddress)) {
         return e = "--max-connections-per-address must be a positive number, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--tls-cert", "PARLEY_TLS_CERT",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.empty()) return e = "--tls-cert must name a PEM file", false;
       o.tlsCert = v;
       return true;
     }},
    {"--tls-key", "PARLEY_TLS_KEY",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.empty()) return e = "--tls-key must name a PEM file", false;
       o.tlsKey = v;
       return true;
     }},
    {"--turn-urls", "PARLEY_TURN_URLS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       o.turnUrls = commaList(v);
       if (o.turnUrls.size() > 8) return e = "--turn-urls takes at most 8 URLs", false;
       for (const auto& url : o.turnUrls) {
         if (const auto why = signaling::turnUrlError(url)) {
           return e = "--turn-urls: \"" + url + "\": " + *why + " (like turn:turn.example.fr:3478?transport=udp)", false;
         }
       }
       return true;
     }},
    {"--turn-secret", "PARLEY_TURN_SECRET",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.size() < 16) return e = "--turn-secret must be at least 16 characters (coturn's static-auth-secret)", false;
       o.turnSecret = v;
       return true;
     }},
    {"--turn-ttl", "PARLEY_TURN_TTL",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange(v, 60u, 7u * 86400u, o.turnTtlSeconds)) {
         return e = "--turn-ttl must be a number of seconds from 60 to 604800, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--web-root", "PARLEY_WEB_ROOT",
     [](ServeOptions& o, const std::string& v, std::string&) {
       o.webRoot = v;
       return true;
     }},
    {"--asr", "PARLEY_ASR",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v != "pocketsphinx" && v != "openai") return e = "--asr must be pocketsphinx or openai", false;
       o.asr = v;
       return true;
     }},
    {"--asr-url", "PARLEY_ASR_URL",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) return e = "--asr-url must be an http(s) URL", false;
       o.asrUrl = v;
       return true;
     }},
    {"--asr-model", "PARLEY_ASR_MODEL",
     [](ServeOptions& o, const std::string& v, std::string&) {
       o.asrModel = v;
       return true;
     }},
    {"--llm-url", "PARLEY_LLM_URL",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) return e = "--llm-url must be an http(s) URL", false;
       o.llmUrl = v;
       return true;
     }},
    {"--llm-model", "PARLEY_LLM_MODEL",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.empty() || v.size() > 200) return e = "--llm-model must name a model", false;
       o.llmModel = v;
       return true;
     }},
    {"--llm-api-key-env", "PARLEY_LLM_API_KEY_ENV",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       const bool name = !v.empty() && std::all_of(v.begin(), v.end(), [](unsigned char c) {
         return std::isupper(c) || std::isdigit(c) || c == '_';
       });
       if (!name) return e = "--llm-api-key-env must name an environment variable (A-Z, 0-9, _)", false;
       o.llmApiKeyEnv = v;
       return true;
     }},
    {"--recordings", "PARLEY_RECORDINGS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.empty() || v.size() > 1000) return e = "--recordings must name a directory", false;
       o.recordings = v;
       return true;
     }},
    {"--recording-retention-days", "PARLEY_RECORDING_RETENTION_DAYS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange<unsigned>(v, 0, 36500, o.recordingRetentionDays)) {
         return e = "--recording-retention-days must be a number of days from 0 (keep) to 36500, not \"" + v + "\"",
                false;
       }
       return true;
     }},
    {"--max-recordings", "PARLEY_MAX_RECORDINGS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange<std::size_t>(v, 0, 1000, o.maxRecordings)) {
         return e = "--max-recordings must be a number of rooms from 0 to 1000, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--recording-max-minutes", "PARLEY_RECORDING_MAX_MINUTES",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange<unsigned>(v, 0, 10080, o.recordingMaxMinutes)) {
         return e = "--recording-max-minutes must be a number of minutes from 0 (no limit) to 10080, not \"" + v +
                    "\"",
                false;
       }
       return true;
     }},
    {"--recording-min-free-mb", "PARLEY_RECORDING_MIN_FREE_MB",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange<unsigned>(v, 0, 100'000'000, o.recordingMinFreeMb)) {
         return e = "--recording-min-free-mb must be a number of megabytes from 0 to 100000000, not \"" + v + "\"",
                false;
       }
       return true;
     }},
    {"--language", "PARLEY_LANGUAGE",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (v.size() < 2 || v.size() > 3) return e = "--language must be an ISO 639-1 code like en or fr", false;
       o.language = v;
       return true;
     }},
    {"--diarize-tracks", "PARLEY_DIARIZE_TRACKS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseSwitch(v, o.diarizeTracks)) return e = "--diarize-tracks is true or false, not \"" + v + "\"", false;
       return true;
     },
     true},
    {"--max-transcriptions", "PARLEY_MAX_TRANSCRIPTIONS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange<std::size_t>(v, 0, 1000, o.maxTranscriptions)) {
         return e = "--max-transcriptions must be a number of rooms from 0 to 1000, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--recognizers", "PARLEY_RECOGNIZERS",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange(v, 1u, 256u, o.recognizers)) {
         return e = "--recognizers must be a number from 1 to 256, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--empty-room-timeout", "PARLEY_EMPTY_ROOM_TIMEOUT",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       if (!parseNumberInRange(v, 1u, 86400u, o.emptyRoomTimeoutSeconds)) {
         return e = "--empty-room-timeout must be a number of seconds from 1 to 86400, not \"" + v + "\"", false;
       }
       return true;
     }},
    {"--log-level", "PARLEY_LOG_LEVEL",
     [](ServeOptions& o, const std::string& v, std::string& e) {
       for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
         if (v == level) {
           o.logLevel = v;
           return true;
         }
       }
       return e = "--log-level must be one of trace, debug, info, warn, error, off", false;
     }},
};

}  // namespace

const char* serveUsage() {
  return "Usage: parley serve [options]\n"
         "\n"
         "Runs the meeting server: web client, REST API, signaling and media.\n"
         "\n"
         "Options (each also read from the environment variable in brackets):\n"
         "  --host H          address to listen on for HTTP [PARLEY_HOST] (default 127.0.0.1)\n"
         "  --port P          HTTP port, 0 for any free one [PARLEY_PORT] (default 8080)\n"
         "  --data DIR        folder for the database [PARLEY_DATA] (default ./data)\n"
         "  --store URL       where rooms, chat and transcripts are kept: postgresql://USER@HOST[:PORT]/DB\n"
         "                    (shared by a cluster's nodes) or sqlite:PATH [PARLEY_STORE]\n"
         "                    (default sqlite:DIR/parley.db)\n"
         "  --cluster URL     be a node of a cluster coordinated by this Redis, redis://HOST[:PORT][/DB]\n"
         "                    (needs --store postgresql://... and --node-address) [PARLEY_CLUSTER]\n"
         "  --node-address IP this node's address for the other nodes [PARLEY_NODE_ADDRESS]\n"
         "  --node-streams N  streams a cluster node forwards for one meeting before the meeting's\n"
         "                    media spills onto another node, cascaded (0: a meeting's media stays\n"
         "                    on its home) [PARLEY_NODE_STREAMS] (default 0)\n"
         "  --udp-ports LO-HI UDP ports for media [PARLEY_UDP_PORTS] (default 40000-40099)\n"
         "  --tcp-ports LO-HI TCP ports for media when UDP is blocked (ICE-TCP), one per worker, or\n"
         "                    off [PARLEY_TCP_PORTS] (default: as many, right after the UDP range)\n"
         "  --media-workers N media threads, each with its own UDP port [PARLEY_MEDIA_WORKERS]\n"
         "                    (default 0: one per core)\n"
         "  --worker-streams N streams (a track to a subscriber) a worker forwards before a room\n"
         "                    spills onto another worker [PARLEY_WORKER_STREAMS] (default 2000)\n"
         "  --public-ip IP[,IP]  addresses announced to clients for media, when they are not\n"
         "                    the machine's own (NAT); repeat it or list several [PARLEY_PUBLIC_IP]\n"
         "                    (default: media on --host, or with 0.0.0.0 or :: on every interface\n"
         "                    address, IPv6 too with ::)\n"
         "  --public-url URL[,URL]  how people reach this server, e.g. https://meet.example.fr;\n"
         "                    requests for other host names than these, IP addresses and\n"
         "                    localhost are refused (421) [PARLEY_PUBLIC_URL]\n"
         "  --trusted-proxy NET[,NET]  reverse proxies whose X-Forwarded-For and -Proto are\n"
         "                    believed, as addresses or networks [PARLEY_TRUSTED_PROXY]\n"
         "  --max-connections-per-address N  open connections one client address may hold\n"
         "                    [PARLEY_MAX_CONNECTIONS_PER_ADDRESS] (default 1000)\n"
         "  --tls-cert FILE   PEM certificate (chain allowed): serve HTTPS and WSS on --port;\n"
         "                    reloaded on SIGHUP [PARLEY_TLS_CERT]\n"
         "  --tls-key FILE    its PEM private key [PARLEY_TLS_KEY]\n"
         "  --oidc-issuer URL sign-in with this OpenID Connect provider (ProConnect, Keycloak...),\n"
         "                    whose discovery document is URL/.well-known/openid-configuration\n"
         "                    [PARLEY_OIDC_ISSUER]; needs --public-url: the redirect URI to register\n"
         "                    is PUBLIC-URL/auth/callback, the post-logout one PUBLIC-URL/\n"
         "  --oidc-client-id ID  this server's client id at the provider [PARLEY_OIDC_CLIENT_ID]\n"
         "  --oidc-client-secret S  its secret; prefer the environment [PARLEY_OIDC_CLIENT_SECRET]\n"
         "  --oidc-scopes S   scopes asked for [PARLEY_OIDC_SCOPES] (default \"openid profile email\";\n"
         "                    ProConnect: \"openid given_name usual_name email\")\n"
         "  --oidc-acr A      authentication level required in the ID token [PARLEY_OIDC_ACR]\n"
         "  --room-creation W who may create meetings: anyone or signed-in [PARLEY_ROOM_CREATION]\n"
         "                    (default signed-in with --oidc-issuer, else anyone)\n"
         "  --turn-urls URL[,URL]  TURN relays for participants behind firewalls, like\n"
         "                    turn:HOST:3478?transport=udp,turns:HOST:443?transport=tcp [PARLEY_TURN_URLS]\n"
         "  --turn-secret S   the relay's shared secret (coturn: use-auth-secret,\n"
         "                    static-auth-secret); prefer the environment [PARLEY_TURN_SECRET]\n"
         "  --turn-ttl S      seconds a participant's relay credential lasts [PARLEY_TURN_TTL]\n"
         "                    (default 43200)\n"
         "  --web-root DIR    built web client to serve [PARLEY_WEB_ROOT] (default: the build's web/dist)\n"
         "  --log-level L     trace, debug, info, warn, error or off [PARLEY_LOG_LEVEL] (default info)\n"
         "  --asr NAME        live transcription: pocketsphinx (embedded) or openai [PARLEY_ASR]\n"
         "  --asr-url URL     the OpenAI-compatible server for --asr openai [PARLEY_ASR_URL]\n"
         "  --asr-model NAME  the model to ask it for [PARLEY_ASR_MODEL] (default whisper-1)\n"
         "  --language LANG   language of the meetings, ISO 639-1 [PARLEY_LANGUAGE] (default en)\n"
         "  --llm-url URL     an OpenAI-compatible chat completions server (Albert, vLLM, llama.cpp)\n"
         "                    that summarises each transcription when it stops [PARLEY_LLM_URL]\n"
         "  --llm-model M     the model to ask it for [PARLEY_LLM_MODEL]\n"
         "  --llm-api-key-env VAR  the environment variable holding its API key\n"
         "                    [PARLEY_LLM_API_KEY_ENV] (default PARLEY_LLM_API_KEY)\n"
         "  --recordings DIR  record meetings (moderators start it) into DIR [PARLEY_RECORDINGS]\n"
         "                    (default: recording is off)\n"
         "  --recording-retention-days N  recordings older than N days are deleted\n"
         "                    [PARLEY_RECORDING_RETENTION_DAYS] (default 0: kept until deleted)\n"
         "  --max-recordings N  rooms recorded at once; more get 503 [PARLEY_MAX_RECORDINGS] (default 8)\n"
         "  --recording-max-minutes N  a recording stops by itself after N minutes\n"
         "                    [PARLEY_RECORDING_MAX_MINUTES] (default 240; 0: no limit)\n"
         "  --recording-min-free-mb N  recordings stop, and none start, when their disk has less\n"
         "                    than N MB free [PARLEY_RECORDING_MIN_FREE_MB] (default 512)\n"
         "  --diarize-tracks  split a microphone shared by several people into voices,\n"
         "                    labelled \"Name (2)\" [PARLEY_DIARIZE_TRACKS]\n"
         "  --max-transcriptions N  rooms transcribed at once; more get 503 [PARLEY_MAX_TRANSCRIPTIONS]\n"
         "                    (default 4; 0 turns live transcription off)\n"
         "  --recognizers N   speech recognizers shared by all rooms, each on its own thread and\n"
         "                    made only while people speak [PARLEY_RECOGNIZERS] (default 4)\n"
         "  --empty-room-timeout S  seconds after which an empty room's transcription stops\n"
         "                    [PARLEY_EMPTY_ROOM_TIMEOUT] (default 180)\n"
         "  --help            this text\n";
}

std::pair<std::uint16_t, std::uint16_t> ServeOptions::tcpPorts() const {
  if (!iceTcp) return {0, 0};
  if (tcpPortMin != 0) return {tcpPortMin, tcpPortMax};
  // Right after the UDP range, as many ports (fewer if that reaches past 65535).
  const unsigned lo = udpPortMax + 1u;
  const unsigned hi = std::min(65535u, lo + (udpPortMax - udpPortMin));
  if (lo > 65535u) return {0, 0};
  return {static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)};
}

std::optional<std::string> serveOptionsConflict(const ServeOptions& options) {
  if (options.tlsCert.empty() != options.tlsKey.empty()) return "--tls-cert and --tls-key go together";
  if (!options.cluster.empty()) {
    if (!options.store.starts_with("postgres")) return "--cluster needs --store postgresql://... (the nodes share it)";
    if (options.nodeAddress.empty()) return "--cluster needs --node-address (how the other nodes reach this one)";
  }
  if (options.turnUrls.empty() != options.turnSecret.empty()) return "--turn-urls and --turn-secret go together";
  if (options.llmUrl.empty() != options.llmModel.empty()) return "--llm-url and --llm-model go together";
  if (!options.oidcIssuer.empty()) {
    if (options.oidcClientId.empty() || options.oidcClientSecret.empty()) {
      return "--oidc-issuer needs --oidc-client-id and --oidc-client-secret";
    }
    if (options.publicUrls.empty()) return "--oidc-issuer needs --public-url (the sign-in's redirect URI is on it)";
  } else if (options.roomCreation == "signed-in") {
    return "--room-creation signed-in needs --oidc-issuer (nobody could sign in)";
  }
  return std::nullopt;
}

std::optional<ServeOptions> parseServeOptions(const std::vector<std::string>& args,
                                              const char* (*getenv)(const char*), std::string& error,
                                              bool& helpRequested) {
  ServeOptions options;
  helpRequested = false;
  std::vector<const Setting*> repeated;  // lists a flag has begun to fill
  for (const auto& setting : kSettings) {
    if (const char* value = getenv(setting.env); value && *value) {
      if (!setting.apply(options, value, error)) {
        error = std::string(setting.env) + ": " + error;
        return std::nullopt;
      }
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      helpRequested = true;
      return options;
    }
    std::string flag = arg;
    std::optional<std::string> value;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    const Setting* setting = nullptr;
    for (const auto& s : kSettings) {
      if (flag == s.flag) setting = &s;
    }
    if (!setting) {
      error = "unknown option \"" + arg + "\" (see parley serve --help)";
      return std::nullopt;
    }
    if (!value && setting->isSwitch) value = "true";
    if (!value) {
      if (i + 1 >= args.size()) {
        error = flag + " needs a value";
        return std::nullopt;
      }
      value = args[++i];
    }
    if (setting->clear && !std::count(repeated.begin(), repeated.end(), setting)) {
      setting->clear(options);
      repeated.push_back(setting);
    }
    if (!setting->apply(options, *value, error)) return std::nullopt;
  }
  if (auto conflict = serveOptionsConflict(options)) {
    error = *conflict;
    return std::nullopt;
  }
  return options;
}

}  // namespace parley::app
