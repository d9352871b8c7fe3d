// parley serve's settings: defaults, PARLEY_* variables, flags winning over them, and a
// clear error for every bad value (naming the variable when it came from one).
#include "app/Options.h"

#include <gtest/gtest.h>

#include <map>

namespace parley::app {

namespace {
std::map<std::string, std::string> environment;
const char* lookup(const char* name) {
  const auto it = environment.find(name);
  return it == environment.end() ? nullptr : it->second.c_str();
}
struct Parsed {
  std::optional<ServeOptions> options;
  std::string error;
  bool help = false;
};
Parsed parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  environment = std::move(env);
  Parsed p;
  p.options = parseServeOptions(args, lookup, p.error, p.help);
  return p;
}
}  // namespace

TEST(ServeOptions, DefaultsAreTheQuickStartsOnes) {
  const auto p = parse({});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->host, "127.0.0.1");
  EXPECT_EQ(p.options->port, 8080);
  EXPECT_EQ(p.options->dataDir, "./data");
  EXPECT_EQ(p.options->udpPortMin, 40000);
  EXPECT_EQ(p.options->udpPortMax, 40099);
  EXPECT_EQ(p.options->logLevel, "info");
  EXPECT_EQ(p.options->asr, "pocketsphinx");
  EXPECT_FALSE(p.options->diarizeTracks);
  EXPECT_EQ(p.options->maxTranscriptions, 4u);
  EXPECT_TRUE(p.options->publicUrls.empty());
}

TEST(ServeOptions, EveryVariableIsReadAndFlagsWinOverThem) {
  const std::map<std::string, std::string> env = {
      {"PARLEY_HOST", "0.0.0.0"}, {"PARLEY_PORT", "9000"}, {"PARLEY_DATA", "/var/lib/parley"},
      {"PARLEY_UDP_PORTS", "50000-50010"}, {"PARLEY_PUBLIC_IP", "192.0.2.1, 2001:db8::1"}, {"PARLEY_MEDIA_WORKERS", "3"},
      {"PARLEY_WORKER_STREAMS", "500"}, {"PARLEY_WEB_ROOT", "/srv/web"}, {"PARLEY_LOG_LEVEL", "warn"},
      {"PARLEY_ASR", "openai"}, {"PARLEY_ASR_URL", "http://whisper.internal:8000"}, {"PARLEY_ASR_MODEL", "large"},
      {"PARLEY_LANGUAGE", "fr"}, {"PARLEY_DIARIZE_TRACKS", "yes"}, {"PARLEY_MAX_TRANSCRIPTIONS", "7"},
      {"PARLEY_RECOGNIZERS", "5"}, {"PARLEY_EMPTY_ROOM_TIMEOUT", "60"},
      {"PARLEY_PUBLIC_URL", "https://meet.example.fr, https://visio.example.fr"},
      {"PARLEY_TRUSTED_PROXY", "10.0.0.0/8,192.0.2.10"}, {"PARLEY_MAX_CONNECTIONS_PER_ADDRESS", "50"}};
  const auto fromEnv = parse({}, env);
  ASSERT_TRUE(fromEnv.options) << fromEnv.error;
  const ServeOptions& o = *fromEnv.options;
  EXPECT_EQ(o.host, "0.0.0.0");
  EXPECT_EQ(o.port, 9000);
  EXPECT_EQ(o.dataDir, "/var/lib/parley");
  EXPECT_EQ(o.udpPortMin, 50000);
  EXPECT_EQ(o.udpPortMax, 50010);
  EXPECT_EQ(o.publicIps, (std::vector<std::string>{"192.0.2.1", "2001:db8::1"}));
  EXPECT_EQ(o.mediaWorkers, 3u);
  EXPECT_EQ(o.workerStreams, 500u);
  EXPECT_EQ(o.webRoot, "/srv/web");
  EXPECT_EQ(o.logLevel, "warn");
  EXPECT_EQ(o.asr, "openai");
  EXPECT_EQ(o.asrUrl, "http://whisper.internal:8000");
  EXPECT_EQ(o.asrModel, "large");
  EXPECT_EQ(o.language, "fr");
  EXPECT_TRUE(o.diarizeTracks);
  EXPECT_EQ(o.maxTranscriptions, 7u);
  EXPECT_EQ(o.recognizers, 5u);
  EXPECT_EQ(o.emptyRoomTimeoutSeconds, 60u);
  EXPECT_EQ(o.publicUrls, (std::vector<std::string>{"https://meet.example.fr", "https://visio.example.fr"}));
  EXPECT_EQ(o.trustedProxies, (std::vector<std::string>{"10.0.0.0/8", "192.0.2.10"}));
  EXPECT_EQ(o.maxConnectionsPerAddress, 50u);

  const auto flags = parse({"--host", "127.0.0.1", "--port=0", "--log-level", "error", "--diarize-tracks=false",
                            "--max-transcriptions", "0", "--public-url", "http://localhost:8080"},
                           env);
  ASSERT_TRUE(flags.options) << flags.error;
  EXPECT_EQ(flags.options->host, "127.0.0.1");
  EXPECT_EQ(flags.options->port, 0);
  EXPECT_EQ(flags.options->logLevel, "error");
  EXPECT_FALSE(flags.options->diarizeTracks);
  EXPECT_EQ(flags.options->maxTranscriptions, 0u);
  EXPECT_EQ(flags.options->publicUrls, (std::vector<std::string>{"http://localhost:8080"}));
  EXPECT_EQ(flags.options->dataDir, "/var/lib/parley") << "what no flag sets still comes from the environment";
  EXPECT_EQ(flags.options->publicIps, o.publicIps);
}

TEST(ServeOptions, PublicIpsAddUpOverRepeatedFlagsWhichReplaceTheEnvironments) {
  const auto p = parse({"--public-ip", "203.0.113.5", "--public-ip=10.0.0.5,2001:db8::5", "--public-ip", "203.0.113.5"},
                       {{"PARLEY_PUBLIC_IP", "192.0.2.1"}});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->publicIps, (std::vector<std::string>{"203.0.113.5", "10.0.0.5", "2001:db8::5"}));
  EXPECT_TRUE(parse({}).options->publicIps.empty());
}

TEST(ServeOptions, BadValuesGetAClearErrorNamingWhereTheyCameFrom) {
  const struct {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    const char* mentions;
  } cases[] = {
      {{"--port", "70000"}, {}, "--port must be a number"},
      {{"--port"}, {}, "--port needs a value"},
      {{"--host", "example.org"}, {}, "--host must be an IP address"},
      {{"--public-ip", "meet.example.fr"}, {}, "--public-ip must be IP addresses clients can reach"},
      {{"--public-ip", "0.0.0.0"}, {}, "--public-ip must be IP addresses clients can reach"},
      {{"--public-ip", ","}, {}, "--public-ip needs an IP address"},
      {{"--public-ip", "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9"}, {},
       "--public-ip takes at most 8"},
      {{"--udp-ports", "5-1"}, {}, "--udp-ports must be a range"},
      {{"--log-level", "loud"}, {}, "--log-level must be one of"},
      {{"--asr", "siri"}, {}, "--asr must be pocketsphinx or openai"},
      {{"--asr-url", "ftp://x"}, {}, "--asr-url must be an http(s) URL"},
      {{"--llm-url", "file:///etc/passwd", "--llm-model", "m"}, {}, "--llm-url must be an http(s) URL"},
      {{"--llm-url", "http://llm:8000"}, {}, "--llm-url and --llm-model go together"},
      {{"--llm-model", "albert-large"}, {}, "--llm-url and --llm-model go together"},
      {{"--llm-url", "http://llm:8000", "--llm-model", "m", "--llm-api-key-env", "PATH; rm"}, {},
       "--llm-api-key-env must name an environment variable"},
      {{"--public-url", "meet.example.fr"}, {}, "--public-url must be an http(s) URL"},
      {{"--trusted-proxy", "10.0.0.0/99"}, {}, "--trusted-proxy must be IP addresses"},
      {{"--recognizers", "0"}, {}, "--recognizers must be a number from 1"},
      {{"--bogus"}, {}, "unknown option \"--bogus\""},
      {{"--turn-urls", "stun:x", "--turn-secret", "0123456789abcdef"}, {}, "--turn-urls: \"stun:x\": a TURN URL starts"},
      {{"--turn-urls", "turn:x", "--turn-secret", "short"}, {}, "--turn-secret must be at least 16"},
      {{"--turn-urls", "turn:x"}, {}, "--turn-urls and --turn-secret go together"},
      {{"--turn-ttl", "5"}, {}, "--turn-ttl must be a number of seconds"},
      {{"--tls-cert", "c.pem"}, {}, "--tls-cert and --tls-key go together"},
      {{"--oidc-issuer", "http://idp.example.gouv.fr"}, {}, "--oidc-issuer must be an https URL"},
      {{"--oidc-issuer", "https://idp.example.gouv.fr", "--public-url", "https://visio.example.gouv.fr"}, {},
       "--oidc-issuer needs --oidc-client-id and --oidc-client-secret"},
      {{"--oidc-issuer", "https://idp.example.gouv.fr", "--oidc-client-id", "parley", "--oidc-client-secret", "s"}, {},
       "--oidc-issuer needs --public-url"},
      {{"--oidc-scopes", "profile email"}, {}, "--oidc-scopes must include openid"},
      {{}, {{"PARLEY_PORT", "eighty"}}, "PARLEY_PORT: --port must be a number"},
      {{}, {{"PARLEY_DIARIZE_TRACKS", "maybe"}}, "PARLEY_DIARIZE_TRACKS: --diarize-tracks is true or false"},
  };
  for (const auto& c : cases) {
    const auto p = parse(c.args, c.env);
    EXPECT_FALSE(p.options) << c.mentions;
    EXPECT_NE(p.error.find(c.mentions), std::string::npos) << "got: " << p.error;
  }
}

TEST(ServeOptions, ALanguageModelForSummariesIsNamedWithItsKeysVariable) {
  const auto p = parse({"--llm-url", "https://albert.api.etalab.gouv.fr", "--llm-model", "albert-large",
                        "--llm-api-key-env", "ALBERT_KEY"});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->llmUrl, "https://albert.api.etalab.gouv.fr");
  EXPECT_EQ(p.options->llmModel, "albert-large");
  EXPECT_EQ(p.options->llmApiKeyEnv, "ALBERT_KEY");
  EXPECT_EQ(parse({}).options->llmApiKeyEnv, "PARLEY_LLM_API_KEY");
  EXPECT_TRUE(parse({}).options->llmUrl.empty()) << "no summaries unless asked for";
}

TEST(ServeOptions, IceTcpPortsFollowTheUdpRangeUnlessGivenOrTurnedOff) {
  EXPECT_EQ(parse({}).options->tcpPorts(), (std::pair<std::uint16_t, std::uint16_t>{40100, 40199}));
  EXPECT_EQ(parse({"--udp-ports", "50000-50003"}).options->tcpPorts(), (std::pair<std::uint16_t, std::uint16_t>{50004, 50007}));
  EXPECT_EQ(parse({"--udp-ports", "65530-65535"}).options->tcpPorts(), (std::pair<std::uint16_t, std::uint16_t>{0, 0}));
  EXPECT_EQ(parse({"--tcp-ports", "443-443"}).options->tcpPorts(), (std::pair<std::uint16_t, std::uint16_t>{443, 443}));
  EXPECT_EQ(parse({}, {{"PARLEY_TCP_PORTS", "off"}}).options->tcpPorts(), (std::pair<std::uint16_t, std::uint16_t>{0, 0}));
  const auto bad = parse({"--tcp-ports", "9-1"});
  EXPECT_FALSE(bad.options);
  EXPECT_NE(bad.error.find("--tcp-ports must be a range"), std::string::npos) << bad.error;
}

TEST(ServeOptions, TurnRelaysAndTlsFilesAreRead) {
  const auto p = parse({"--turn-urls", "turn:10.0.0.1:3478?transport=udp, turns:turn.example.fr:443?transport=tcp",
                        "--turn-ttl", "600", "--tls-cert", "/etc/parley/cert.pem", "--tls-key", "/etc/parley/key.pem"},
                       {{"PARLEY_TURN_SECRET", "north-wind-and-sun-42"}});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->turnUrls,
            (std::vector<std::string>{"turn:10.0.0.1:3478?transport=udp", "turns:turn.example.fr:443?transport=tcp"}));
  EXPECT_EQ(p.options->turnSecret, "north-wind-and-sun-42");
  EXPECT_EQ(p.options->turnTtlSeconds, 600u);
  EXPECT_EQ(p.options->tlsCert, "/etc/parley/cert.pem");
  EXPECT_EQ(p.options->tlsKey, "/etc/parley/key.pem");
  EXPECT_EQ(parse({}).options->turnTtlSeconds, 12u * 3600);
}

TEST(ServeOptions, SignInSettingsAreRead) {
  const auto p = parse({"--oidc-issuer", "https://fca.integ01.dev-agentconnect.fr/api/v2", "--oidc-client-id", "parley",
                        "--public-url", "https://visio.example.gouv.fr", "--oidc-scopes",
                        "openid given_name usual_name email", "--oidc-acr", "eidas1"},
                       {{"PARLEY_OIDC_CLIENT_SECRET", "s3cr3t"}});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->oidcIssuer, "https://fca.integ01.dev-agentconnect.fr/api/v2");
  EXPECT_EQ(p.options->oidcClientId, "parley");
  EXPECT_EQ(p.options->oidcClientSecret, "s3cr3t");
  EXPECT_EQ(p.options->oidcScopes, "openid given_name usual_name email");
  EXPECT_EQ(p.options->oidcAcr, "eidas1");
  EXPECT_EQ(parse({}).options->oidcScopes, "openid profile email");
  EXPECT_TRUE(parse({}).options->oidcIssuer.empty()) << "sign-in is off by default";
  // With sign-in, only signed-in users create rooms unless told otherwise.
  EXPECT_TRUE(p.options->roomCreationSignedIn());
  EXPECT_FALSE(parse({}).options->roomCreationSignedIn());
}

TEST(ServeOptions, RoomCreationIsAnyoneOrSignedIn) {
  const auto open = parse({"--oidc-issuer", "https://idp.example.fr", "--oidc-client-id", "parley", "--public-url",
                           "https://visio.example.gouv.fr", "--room-creation", "anyone"},
                          {{"PARLEY_OIDC_CLIENT_SECRET", "s"}});
  ASSERT_TRUE(open.options) << open.error;
  EXPECT_FALSE(open.options->roomCreationSignedIn());
  EXPECT_FALSE(parse({"--room-creation", "everyone"}).options);
  const auto nobody = parse({"--room-creation", "signed-in"});
  EXPECT_FALSE(nobody.options);
  EXPECT_NE(nobody.error.find("needs --oidc-issuer"), std::string::npos) << nobody.error;
}

TEST(ServeOptions, RecordingsAreBoundedByLengthAndFreeSpace) {
  auto p = parse({"--recordings", "/srv/rec"});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->recordingMaxMinutes, 240u);
  EXPECT_EQ(p.options->recordingMinFreeMb, 512u);
  p = parse({"--recording-max-minutes", "0"}, {{"PARLEY_RECORDING_MIN_FREE_MB", "2048"}});
  ASSERT_TRUE(p.options) << p.error;
  EXPECT_EQ(p.options->recordingMaxMinutes, 0u);  // no limit, if an operator says so
  EXPECT_EQ(p.options->recordingMinFreeMb, 2048u);
  p = parse({"--recording-max-minutes", "-5"});
  EXPECT_FALSE(p.options);
  EXPECT_NE(p.error.find("--recording-max-minutes must be a number of minutes"), std::string::npos) << p.error;
  p = parse({}, {{"PARLEY_RECORDING_MIN_FREE_MB", "lots"}});
  EXPECT_FALSE(p.options);
  EXPECT_NE(p.error.find("PARLEY_RECORDING_MIN_FREE_MB"), std::string::npos) << p.error;
}

TEST(ServeOptions, HelpIsAskedForAndDocumentsEveryVariable) {
  const auto p = parse({"--port", "1", "--help"});
  EXPECT_TRUE(p.help);
  const std::string usage = serveUsage();
  for (const char* name : {"PARLEY_HOST", "PARLEY_PORT", "PARLEY_DATA", "PARLEY_UDP_PORTS", "PARLEY_PUBLIC_IP",
                           "PARLEY_MEDIA_WORKERS", "PARLEY_WORKER_STREAMS", "PARLEY_WEB_ROOT", "PARLEY_LOG_LEVEL",
                           "PARLEY_ASR", "PARLEY_ASR_URL", "PARLEY_ASR_MODEL", "PARLEY_LANGUAGE", "PARLEY_DIARIZE_TRACKS",
                           "PARLEY_MAX_TRANSCRIPTIONS", "PARLEY_RECOGNIZERS", "PARLEY_EMPTY_ROOM_TIMEOUT",
                           "PARLEY_PUBLIC_URL", "PARLEY_TRUSTED_PROXY", "PARLEY_MAX_CONNECTIONS_PER_ADDRESS",
                           "PARLEY_TLS_CERT", "PARLEY_TLS_KEY", "PARLEY_TCP_PORTS", "PARLEY_TURN_URLS", "PARLEY_TURN_SECRET", "PARLEY_TURN_TTL",
                           "PARLEY_OIDC_ISSUER", "PARLEY_ROOM_CREATION"}) {
    EXPECT_NE(usage.find(name), std::string::npos) << name;
  }
}

}  // namespace parley::app
