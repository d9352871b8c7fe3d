#include "app/Server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <filesystem>

#include "app/ClusterNode.h"
#include "app/MediaAddresses.h"
#include "app/OpenFileLimit.h"
#include "cascade/CascadeLink.h"
#include "auth/SignInService.h"
#include "common/Clock.h"
#include "common/Metrics.h"
#include "http/HttpServer.h"
#include "http/Router.h"
#include "http/StaticFiles.h"
#include "net/LocalAddresses.h"
#include "meeting/RecordingService.h"
#include "meeting/SummaryService.h"
#include "meeting/TranscriptionService.h"
#include "routing/ClusterMedia.h"
#include "routing/MediaAgent.h"
#include "signaling/MeetingSummaries.h"
#include "summary/ChatCompletions.h"
#include "sfu/MediaService.h"
#include "transcribe/OpenAiRecognizer.h"
#include "transcribe/PocketSphinxRecognizer.h"
#include "transcribe/RecognizerPool.h"
#include "signaling/RoomRegistry.h"
#include "store/Store.h"

#ifndef PARLEY_DEFAULT_WEB_ROOT
#define PARLEY_DEFAULT_WEB_ROOT "web/dist"
#endif

namespace parley::app {

namespace net = boost::asio;

namespace {

// Runs `io`'s handlers until `done()` holds, `io` has no work left or `limit` has passed; a
// handler that throws is logged, as in the main loop.
template <class Done>
void runUntil(net::io_context& io, std::chrono::steady_clock::duration limit, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (auto now = std::chrono::steady_clock::now(); !done() && !io.stopped() && now < deadline;
       now = std::chrono::steady_clock::now()) {
    try {
      io.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::milliseconds(50)));
    } catch (const std::exception& e) {
      metrics().controlErrors++;
      spdlog::error("control loop: {}", e.what());
    }
  }
}

}  // namespace

int runServer(const ServeOptions& options) {
  spdlog::set_level(spdlog::level::from_str(options.logLevel));
  const std::uint64_t openFiles = raiseOpenFileLimit();
  if (openFiles < 8192) {
    spdlog::warn("this process may open only {} files, and each participant holds one or two: raise the limit "
                 "(LimitNOFILE= under systemd, ulimit -Hn in a shell)", openFiles);
  }

  std::error_code fsError;
  std::filesystem::create_directories(options.dataDir, fsError);
  if (fsError) {
    spdlog::error("cannot create the data folder {}: {}", options.dataDir, fsError.message());
    return 1;
  }
  const std::string storeLocation =
      options.store.empty() ? "sqlite:" + (std::filesystem::path(options.dataDir) / "parley.db").string() : options.store;
  std::unique_ptr<store::Store> store;
  try {
    store = store::openStore(storeLocation);
    spdlog::info("store: {}", store->describe());
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  // A single server closes the sessions its previous run left open. A node of a cluster is
  // new at each start (its id is); the live nodes close a dead node's sessions (ClusterNode).
  if (const int closed = options.cluster.empty() ? store->closeOpenSessions(unixMillisNow()) : 0; closed > 0) {
    spdlog::info("closed {} participant sessions left open by the previous run", closed);
  }

  const std::string webRoot = options.webRoot.empty() ? PARLEY_DEFAULT_WEB_ROOT : options.webRoot;
  http::StaticFiles web(webRoot);
  if (!web.index()) spdlog::warn("no web client in {}: run `make build`", webRoot);

  net::io_context io(1);
  // The media plane: workers with their UDP ports. Its events come back on this thread. On a
  // cluster, rooms homed on other nodes may drive it too (the agent), and its workers reach
  // other nodes' workers (the cascade).
  signaling::RoomRegistry* registry = nullptr;
  const bool clustered = !options.cluster.empty();
  const std::string nodeId = clustered ? ClusterNode::newId() : std::string();
  std::unique_ptr<ClusterNode> clusterNode;  // made once the HTTP server listens
  const auto clusterKey = [&clusterNode] { return clusterNode ? clusterNode->relayKey() : std::string(); };
  std::unique_ptr<routing::MediaAgent> mediaAgent;
  std::unique_ptr<routing::ClusterMedia> clusterMedia;
  const auto toRoom = [&registry](const sfu::MediaEvent& event) {
    if (!registry) return;
    if (auto room = registry->active(event.roomId)) room->onMediaEvent(event, unixMillisNow());
  };
  std::unique_ptr<sfu::MediaService> media;
  try {
    sfu::MediaConfig config;
    const auto plan = planMediaAddresses(options.host, options.publicIps, ::parley::net::interfaceAddresses());
    config.addresses = plan.addresses;
    for (const auto& ip : plan.leftOut) {
      spdlog::warn("media: interface address {} left out, past the first {} (--public-ip chooses)", ip,
                   kMaxMediaAddresses);
    }
    config.portMin = options.udpPortMin;
    config.portMax = options.udpPortMax;
    std::tie(config.tcpPortMin, config.tcpPortMax) = options.tcpPorts();
    config.workers = options.mediaWorkers;
    config.streamsPerWorker = options.workerStreams;
    sfu::RemoteLinksFactory cascade;
    if (clustered) {
      cascade = [endpoint = cascade::CascadeEndpoint{nodeId, options.nodeAddress}](
                    net::io_context& workerIo, unsigned worker, sfu::RemoteLinkHandler& handler) {
        return std::make_unique<cascade::CascadeLink>(workerIo, endpoint, worker, handler);
      };
    }
    media = std::make_unique<sfu::MediaService>(
        config, io,
        [&mediaAgent, toRoom](const sfu::MediaEvent& event) {
          if (mediaAgent && mediaAgent->serves(event.roomId)) return mediaAgent->onMediaEvent(event);
          toRoom(event);
        },
        std::move(cascade));
    if (clustered) {
      mediaAgent = std::make_unique<routing::MediaAgent>(io, options.nodeAddress, *media, clusterKey);
      const auto clusterView = [&clusterNode]() -> std::optional<std::vector<cluster::NodeRecord>> {
        if (!clusterNode) return std::nullopt;
        auto view = clusterNode->view();
        if (!view.reachable) return std::nullopt;  // without Redis, media placed elsewhere goes on
        return std::move(view.nodes);
      };
      clusterMedia = std::make_unique<routing::ClusterMedia>(
          io, *media,
          routing::ClusterMediaConfig{nodeId, options.nodeAddress, options.nodeStreams, clusterKey, clusterView}, toRoom);
      media->setShardsListener([&mediaAgent, &clusterMedia](const std::string& roomId) {
        if (mediaAgent->serves(roomId)) mediaAgent->onShardsChanged(roomId);
        else clusterMedia->onLocalShardsChanged(roomId);
      });
    }
  } catch (const std::exception& e) {
    spdlog::error("cannot start the media plane: {}", e.what());
    return 1;
  }
  // Live transcription: recognizers made per engine thread, on this server's settings.
  if (options.asr == "openai" && options.asrUrl.empty()) {
    spdlog::error("--asr openai needs --asr-url");
    return 1;
  }
  if (options.asr == "pocketsphinx" && options.language != "en") {
    spdlog::warn("the embedded recognizer knows English only; use --asr openai for \"{}\"", options.language);
  }
  // Participant ids are unique, so one store of speakers' channels serves every room.
  auto channels = std::make_shared<transcribe::SpeakerChannels>();
  auto makeRecognizer = [options, channels]() -> std::unique_ptr<transcribe::Recognizer> {
    if (options.asr == "openai") {
      transcribe::OpenAiSettings openai;
      openai.url = options.asrUrl;
      openai.model = options.asrModel;
      openai.language = options.language;
      if (const char* key = std::getenv("PARLEY_ASR_API_KEY")) openai.apiKey = key;
      return std::make_unique<transcribe::OpenAiRecognizer>(openai);
    }
    return std::make_unique<transcribe::PocketSphinxRecognizer>(transcribe::PocketSphinxSettings{}, channels);
  };
  // One pool of recognizers for the whole server, whatever the number of rooms.
  transcribe::RecognizerPoolSettings poolSettings;
  poolSettings.threads = options.recognizers;
  poolSettings.maxQueued = 4 * options.recognizers;
  auto recognizers = std::make_shared<transcribe::RecognizerPool>(makeRecognizer, poolSettings);
  transcribe::LiveSettings live;
  live.diarizeTracks = options.diarizeTracks;
  meeting::TranscriptionLimits limits;
  limits.maxRooms = options.maxTranscriptions;
  meeting::TranscriptionService transcription(
      media.get(), recognizers, [&io](std::function<void()> task) { net::post(io, std::move(task)); },
      [&registry](const std::string& roomId, std::int64_t transcriptionId, const transcribe::LiveSegment& segment) {
        if (registry) registry->deliverSegment(roomId, transcriptionId, segment);
      },
      live, limits);
  sfu::MediaPlane* mediaPlane = clusterMedia ? static_cast<sfu::MediaPlane*>(clusterMedia.get()) : media.get();
  signaling::RoomRegistry rooms(*store, mediaPlane, &transcription);
  rooms.setEmptyRoomTimeout(static_cast<std::int64_t>(options.emptyRoomTimeoutSeconds) * 1000);
  if (!options.turnUrls.empty()) {
    rooms.setIceServers({options.turnUrls, options.turnSecret, std::chrono::seconds(options.turnTtlSeconds)});
  }
  registry = &rooms;
  // Recordings, when --recordings names a directory: written by a thread per recording; a
  // recording that stops by itself (a full disk, a bound) is reported here, to its room.
  meeting::RecordingSettings recordingSettings;
  recordingSettings.directory = options.recordings;
  recordingSettings.retentionDays = static_cast<int>(options.recordingRetentionDays);
  recordingSettings.maxRooms = options.maxRecordings;
  recordingSettings.maxDurationMillis = static_cast<std::int64_t>(options.recordingMaxMinutes) * 60'000;
  recordingSettings.minFreeBytes = static_cast<std::uint64_t>(options.recordingMinFreeMb) << 20;
  meeting::RecordingService recordings(
      recordingSettings, media.get(), [&io](std::function<void()> task) { net::post(io, std::move(task)); },
      [&registry](const meeting::RecordingReport& report) {
        if (!registry) return;
        if (auto room = registry->active(report.roomId)) room->onRecordingEnded(report);
      });
  rooms.setRecordings(&recordings);
  if (recordings.available()) {
    spdlog::info("recordings in {}{}", options.recordings,
                 options.recordingRetentionDays ? fmt::format(", deleted after {} days", options.recordingRetentionDays)
                                                : std::string());
    recordings.expire(unixMillisNow());
    recordings.resumeRenders();
  }
  // Meeting summaries, when a language model is configured: written once a transcription
  // has finished, on the summary service's thread; its reports come back here.
  signaling::MeetingSummaries* summaries = nullptr;
  std::unique_ptr<meeting::SummaryService> summaryService;
  if (!options.llmUrl.empty()) {
    summary::ChatSettings chat;
    chat.url = options.llmUrl;
    chat.model = options.llmModel;
    if (const char* key = std::getenv(options.llmApiKeyEnv.c_str())) chat.apiKey = key;
    auto client = std::make_shared<const summary::ChatCompletions>(chat);
    summaryService = std::make_unique<meeting::SummaryService>(
        [client](const std::vector<summary::ChatMessage>& messages, const std::atomic<bool>& cancelled,
                 const std::function<void(const std::string&)>& onFailedAttempt) {
          return client->complete(messages, &cancelled, onFailedAttempt);
        },
        [&io](std::function<void()> task) { net::post(io, std::move(task)); },
        [&summaries](const meeting::SummaryReport& report) {
          if (summaries) summaries->onReport(report, unixMillisNow());
        });
    spdlog::info("meeting summaries by {} at {}", options.llmModel, options.llmUrl);
  }
  signaling::MeetingSummaries meetingSummaries(rooms, summaryService.get(), options.language, options.llmModel);
  summaries = &meetingSummaries;
  transcription.onFinished([&summaries](const std::string& roomId, std::int64_t transcriptionId) {
    if (summaries) summaries->summarize(roomId, transcriptionId, unixMillisNow());
  });
  http::Router router(rooms, web, [&media, &transcription, &rooms, &clusterNode, &summaryService, &recordings,
                                    &clusterMedia, &mediaAgent] {
    return media->renderMetrics() + transcription.renderMetrics() + rooms.renderMetrics() + recordings.renderMetrics() +
           (clusterNode ? clusterNode->renderMetrics() : std::string()) +
           (clusterMedia ? clusterMedia->renderMetrics() + mediaAgent->renderMetrics() : std::string()) +
           (summaryService ? summaryService->renderMetrics() : std::string());
  });
  router.setSummaries(&meetingSummaries);
  router.setRecordings(&recordings);
  // Sign-in, when an identity provider is configured; /api/me says whether it is.
  std::unique_ptr<auth::SignInService> signIn;
  if (!options.oidcIssuer.empty()) {
    std::string base = options.publicUrls.front();
    while (!base.empty() && base.back() == '/') base.pop_back();
    auth::OidcSettings oidc;
    oidc.issuer = options.oidcIssuer;
    oidc.clientId = options.oidcClientId;
    oidc.clientSecret = options.oidcClientSecret;
    oidc.redirectUri = base + "/auth/callback";
    oidc.postLogoutRedirectUri = base + "/";
    oidc.scopes = options.oidcScopes;
    oidc.requiredAcr = options.oidcAcr;
    signIn = std::make_unique<auth::SignInService>(oidc, *store,
                                                   [&io](std::function<void()> task) { net::post(io, std::move(task)); });
    spdlog::info("sign-in with {} (redirect URI {})", oidc.issuer, oidc.redirectUri);
  }
  http::AuthRoutes authRoutes(signIn.get());
  router.setAuthRoutes(&authRoutes);
  rooms.setSignInEnabled(signIn != nullptr);
  router.setRoomCreation(options.roomCreationSignedIn() ? http::Router::RoomCreation::SignedIn
                                                        : http::Router::RoomCreation::Anyone);

  http::HttpPolicy policy;
  for (const auto& url : options.publicUrls) policy.publicHosts.push_back(*http::hostOfUrl(url));
  for (const auto& network : options.trustedProxies) policy.trustedProxies.push_back(*http::IpNetwork::parse(network));
  policy.maxConnectionsPerAddress = options.maxConnectionsPerAddress;
  std::unique_ptr<http::TlsContext> tls;
  if (!options.tlsCert.empty()) {
    try {
      tls = std::make_unique<http::TlsContext>(options.tlsCert, options.tlsKey);
    } catch (const std::exception& e) {
      spdlog::error("{}", e.what());
      return 1;
    }
  }
  std::unique_ptr<http::HttpServer> server;
  try {
    const net::ip::tcp::endpoint endpoint(net::ip::make_address(options.host), options.port);
    server = std::make_unique<http::HttpServer>(io, endpoint, router, rooms, policy, tls.get());
  } catch (const std::exception& e) {
    spdlog::error("cannot listen on {}:{}: {}", options.host, options.port, e.what());
    return 1;
  }
  // A node of a cluster: membership in Redis; new joins wait for it to answer.
  if (!options.cluster.empty()) {
    std::string why;
    clusterNode = std::make_unique<ClusterNode>(nodeId, *cluster::parseRedisUrl(options.cluster, why),
                                                options.nodeAddress, server->localEndpoint().port(), mediaAgent->port(),
                                                rooms, *media,
                                                [&io](std::function<void()> task) { net::post(io, std::move(task)); });
    server->setPlacement(clusterNode.get());
  }
  server->start();

  // Upkeep, every second at most: participants away too long leave; rooms left empty stop
  // being transcribed and are released.
  net::steady_timer sweeper(io);
  const auto sweepEvery = std::chrono::milliseconds(
      std::clamp<std::int64_t>(static_cast<std::int64_t>(options.emptyRoomTimeoutSeconds) * 250, 500, 1000));
  std::int64_t lastSessionSweep = 0, lastRecordingExpiry = unixMillisNow();
  std::function<void()> sweep = [&] {
    sweeper.expires_after(sweepEvery);
    sweeper.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      const auto now = unixMillisNow();
      rooms.sweep(now);
      if (clusterNode) {
        clusterNode->upkeep();
        if (const auto view = clusterNode->view(); view.reachable) clusterMedia->setView(view.nodes);
      }
      if (now - lastRecordingExpiry > 3600 * 1000) {
        lastRecordingExpiry = now;
        recordings.expire(now);
      }
      if (signIn && now - lastSessionSweep > 3600 * 1000) {
        lastSessionSweep = now;
        signIn->sweep(now);
      }
      sweep();
    });
  };
  sweep();

  // SIGHUP: a renewed certificate is read again; calls and connections stay up.
  net::signal_set hangup(io, SIGHUP);
  std::function<void()> awaitHangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (!tls) {
        spdlog::info("SIGHUP: no TLS certificate to reload");
      } else if (const auto why = tls->reload()) {
        spdlog::error("SIGHUP: kept the certificate in use: {}", *why);
      } else {
        spdlog::info("SIGHUP: reloaded the TLS certificate {}", options.tlsCert);
      }
      awaitHangup();
    });
  };
  awaitHangup();

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    sweeper.cancel();
    hangup.cancel();
    server->stop();
    // No summary is begun now: it could not be finished (a moderator asks again later).
    summaries = nullptr;
    // The last utterances are recognized and their segments posted to this thread before
    // its loop ends, so they reach the database.
    rooms.stopAllTranscriptions(unixMillisNow());
    transcription.drain();
    // Every recording's files are completed (their endings written) before the process ends.
    recordings.drain();
    net::post(io, [&io] { io.stop(); });  // after the segments already posted
  });

  const auto local = server->localEndpoint();
  const std::string shownHost = local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                                        : local.address().to_string();
  spdlog::info("listening on {}://{}:{}", tls ? "https" : "http", shownHost, local.port());
  // A handler that throws fails what it was doing, never the server: log it and go on.
  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      metrics().controlErrors++;
      spdlog::error("control loop: {}", e.what());
    }
  }
  // Let close handshakes and last writes finish, for at most two seconds; then end the
  // connections whose clients did not answer, while the rooms they leave still exist.
  io.restart();
  runUntil(io, std::chrono::seconds(2), [&server] { return server->openWebSockets() == 0; });
  server->abort();
  runUntil(io, std::chrono::seconds(1), [&server] { return server->openWebSockets() == 0; });
  registry = nullptr;
  summaries = nullptr;
  media.reset();  // joins the workers before the rooms they report to go away
  spdlog::info("stopped");
  return 0;
}

}  // namespace parley::app
