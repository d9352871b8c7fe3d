#include "sfu/MediaService.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <sstream>
#include <string>
#include <stdexcept>
#include <thread>

#include "common/Prometheus.h"
#include "dtls/Certificate.h"
#include "sdp/SessionDescription.h"
#include "sfu/Worker.h"

namespace parley::sfu {

MediaService::MediaService(const MediaConfig& config, boost::asio::io_context& control,
                           std::function<void(const MediaEvent&)> onEvent, RemoteLinksFactory remoteLinks)
    : cascades_(static_cast<bool>(remoteLinks)) {
  auto certificate = dtls::Certificate::generate();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned wanted = config.workers ? config.workers : cores;
  // Every address's announced IPs, in order: the candidates of every transport.
  std::vector<std::string> announced;
  std::vector<net::Address> binds;
  for (const auto& address : config.addresses) {
    net::Address bind;
    if (!net::Address::parse(address.bindIp, 0, bind)) throw std::runtime_error("invalid media address " + address.bindIp);
    binds.push_back(bind);
    if (address.announcedIps.empty()) announced.push_back(address.bindIp);
    for (const auto& ip : address.announcedIps) announced.push_back(ip);
  }
  if (binds.empty()) throw std::runtime_error("no address to serve media on");
  auto emit = [&control, onEvent](MediaEvent event) {
    boost::asio::post(control, [onEvent, event = std::move(event)] { onEvent(event); });
  };
  // One port per worker from the range (and one ICE-TCP port from its range), the same on
  // every address; ports already taken on any of them are skipped.
  auto onPort = [&binds](unsigned port) {
    std::vector<net::Address> at = binds;
    for (auto& a : at) a.port = static_cast<std::uint16_t>(port);
    return at;
  };
  unsigned tcpPort = config.tcpPortMin;
  for (unsigned port = config.portMin; port <= config.portMax && workers_.size() < wanted; ++port) {
    for (;;) {
      const bool iceTcp = tcpPort != 0 && tcpPort <= config.tcpPortMax;
      try {
        workers_.push_back(std::make_unique<Worker>(static_cast<unsigned>(workers_.size()), onPort(port),
                                                    iceTcp ? onPort(tcpPort) : std::vector<net::Address>{}, announced,
                                                    certificate, emit, remoteLinks));
        if (iceTcp) ++tcpPort;
        break;
      } catch (const net::TcpPortUnavailable& e) {
        spdlog::warn("ICE-TCP port {} unavailable: {}", tcpPort, e.what());
        ++tcpPort;
      } catch (const std::exception& e) {
        spdlog::warn("media port {} unavailable: {}", port, e.what());
        break;
      }
    }
  }
  if (workers_.empty()) {
    throw std::runtime_error("no UDP port free in " + std::to_string(config.portMin) + "-" +
                             std::to_string(config.portMax));
  }
  placement_ = std::make_unique<WorkerPlacement>(workers_.size(), config.streamsPerWorker);
  pipes_.resize(workers_.size() * workers_.size());
  std::vector<Worker*> siblings;
  for (auto& w : workers_) siblings.push_back(w.get());
  for (auto& w : workers_) w->setSiblings(siblings);
  for (auto& w : workers_) w->start();
  std::ostringstream ports, tcpPorts;
  for (auto& w : workers_) ports << (ports.tellp() ? "," : "") << w->port();
  for (auto& w : workers_) {
    if (w->tcpPort()) tcpPorts << (tcpPorts.tellp() ? "," : "") << w->tcpPort();
  }
  std::ostringstream bound, offered;
  for (const auto& address : config.addresses) bound << (bound.tellp() ? "," : "") << address.bindIp;
  for (const auto& ip : announced) offered << (offered.tellp() ? "," : "") << ip;
  spdlog::info("media: {} workers on UDP {}:{}{}{}, announced as {}", workers_.size(), bound.str(), ports.str(),
               tcpPorts.tellp() ? " and ICE-TCP " : "", tcpPorts.str(), offered.str());
}

MediaService::~MediaService() {
  for (auto& w : workers_) w->stop();
}

Worker* MediaService::workerOf(const std::string& roomId, const std::string& participantId) const {
  const auto worker = placement_->workerOf(roomId, participantId);
  return worker ? workers_[*worker].get() : nullptr;
}

void MediaService::linkWorkers(unsigned a, unsigned b) {
  const std::size_t n = workers_.size();
  for (const auto& direction : {std::pair{a, b}, std::pair{b, a}}) {
    const unsigned from = direction.first, to = direction.second;
    auto& ring = pipes_[from * n + to];
    if (ring) continue;
    ring = std::make_unique<PipeRing>();
    PipeRing* shared = ring.get();
    Worker* sender = workers_[from].get();
    Worker* receiver = workers_[to].get();
    sender->post([sender, to, shared] { sender->attachOutboundPipe(to, shared); });
    receiver->post([receiver, shared] { receiver->attachInboundPipe(shared); });
  }
}

void MediaService::updatePeers(const std::string& roomId) {
  const std::vector<unsigned> hosts = placement_->workersOf(roomId);
  const auto remote = remoteRooms_.find(roomId);
  const bool leads = remote == remoteRooms_.end() || remote->second.leads;
  for (unsigned host : hosts) {
    std::vector<unsigned> peers;
    for (unsigned other : hosts) {
      if (other != host) peers.push_back(other);
    }
    if (remote != remoteRooms_.end()) {
      for (unsigned slot : remote->second.slots) peers.push_back(kFirstRemoteLink + slot);
    }
    Worker* worker = workers_[host].get();
    const bool reportsSpeaker = leads && host == hosts.front();
    worker->post([worker, roomId, peers = std::move(peers), reportsSpeaker]() mutable {
      if (Router* router = worker->findRouter(roomId)) router->setPeers(std::move(peers), reportsSpeaker);
    });
  }
}

void MediaService::join(const std::string& roomId, const std::string& participantId) {
  const std::vector<unsigned> before = placement_->workersOf(roomId);
  const unsigned index = placement_->join(roomId, participantId);
  const bool newShard = std::find(before.begin(), before.end(), index) == before.end();
  if (newShard) {
    for (unsigned other : before) linkWorkers(index, other);
  }
  Worker* worker = workers_[index].get();
  std::shared_ptr<AudioTap> tap;
  if (const auto t = taps_.find(roomId); t != taps_.end()) tap = t->second;
  std::shared_ptr<RecordingTap> recording;
  if (const auto r = recordingTaps_.find(roomId); r != recordingTaps_.end()) recording = r->second;
  worker->post([worker, roomId, participantId, tap, recording] {
    Router& router = worker->router(roomId);
    if (tap) router.setAudioTap(tap);
    if (recording && !router.recording()) router.setRecordingTap(recording);
    router.join(participantId);
  });
  // After the join, so the new shard exists when the others announce their tracks to it.
  if (newShard && (!before.empty() || remoteRooms_.count(roomId))) {
    if (!before.empty()) spdlog::info("room {} now spans {} media workers", roomId, before.size() + 1);
    updatePeers(roomId);
  }
  if (newShard && shardsListener_) shardsListener_(roomId);
}

void MediaService::setRemoteShards(const std::string& roomId, std::vector<RemoteShard> shards, bool leads,
                                   const std::string& secret) {
  if (!cascades_) return;
  if (secret != secret_ && !secret.empty()) {
    // A new key (the first one): every link is keyed again.
    secret_ = secret;
    for (unsigned slot = 0; slot < slotShards_.size(); ++slot) attachEverywhere(slot);
  }
  RemoteRoom room;
  room.leads = leads;
  for (const auto& shard : shards) {
    const auto key = std::pair{shard.nodeId, shard.worker};
    auto it = remoteSlots_.find(key);
    bool attach = true;
    if (it == remoteSlots_.end()) {
      it = remoteSlots_.emplace(key, static_cast<unsigned>(slotShards_.size())).first;
      slotShards_.push_back(shard);
    } else if (!(slotShards_[it->second] == shard)) {
      slotShards_[it->second] = shard;  // the same worker, listening elsewhere now
    } else {
      attach = false;
    }
    if (attach) attachEverywhere(it->second);
    room.slots.push_back(it->second);
  }
  if (placement_->workersOf(roomId).empty() && shards.empty() && leads) {
    remoteRooms_.erase(roomId);  // what a room nobody cascades is without an entry
    return;
  }
  remoteRooms_[roomId] = std::move(room);
  updatePeers(roomId);
}

void MediaService::attachEverywhere(unsigned slot) {
  for (auto& w : workers_) {
    Worker* worker = w.get();
    worker->post([worker, slot, shard = slotShards_[slot], secret = secret_] { worker->attachRemote(slot, shard, secret); });
  }
}

std::vector<std::pair<unsigned, std::uint16_t>> MediaService::localShards(const std::string& roomId) const {
  std::vector<std::pair<unsigned, std::uint16_t>> out;
  for (unsigned w : placement_->workersOf(roomId)) out.emplace_back(w, workers_[w]->cascadePort());
  return out;
}

void MediaService::leave(const std::string& roomId, const std::string& participantId) {
  const auto index = placement_->leave(roomId, participantId);
  if (!index) return;
  Worker* worker = workers_[*index].get();
  worker->post([worker, roomId, participantId] {
    worker->router(roomId).leave(participantId);
    worker->releaseIfEmpty(roomId);
  });
  if (placement_->roomParticipantsOn(roomId, *index) == 0) {
    updatePeers(roomId);
    if (placement_->workersOf(roomId).empty()) remoteRooms_.erase(roomId);
    if (shardsListener_) shardsListener_(roomId);
  }
}

std::size_t sentTracks(const std::string& offer) {
  const auto parsed = sdp::parse(offer);
  const auto* session = std::get_if<sdp::SessionDescription>(&parsed);
  if (!session) return 0;  // the router will say what is wrong with it
  return static_cast<std::size_t>(std::count_if(session->media.begin(), session->media.end(),
                                                [](const sdp::MediaDescription& m) { return m.sends(); }));
}

void MediaService::publish(const std::string& roomId, const std::string& participantId, std::string offer,
                           std::map<std::string, TrackSource> sources) {
  Worker* worker = workerOf(roomId, participantId);
  if (!worker) return;
  placement_->setPublishedTracks(roomId, participantId, sentTracks(offer));
  worker->post([worker, roomId, participantId, offer = std::move(offer), sources = std::move(sources)] {
    worker->router(roomId).publish(participantId, offer, sources);
  });
}

void MediaService::subscriberAnswer(const std::string& roomId, const std::string& participantId, std::string answer) {
  Worker* worker = workerOf(roomId, participantId);
  if (!worker) return;
  worker->post([worker, roomId, participantId, answer = std::move(answer)] {
    worker->router(roomId).subscriberAnswer(participantId, answer);
  });
}

void MediaService::showTracks(const std::string& roomId, const std::string& participantId,
                              std::vector<ShownTrack> shown) {
  Worker* worker = workerOf(roomId, participantId);
  if (!worker) return;
  worker->post([worker, roomId, participantId, shown = std::move(shown)] {
    worker->router(roomId).showTracks(participantId, shown);
  });
}

void MediaService::setAudioTap(const std::string& roomId, std::shared_ptr<AudioTap> tap) {
  if (tap) taps_[roomId] = tap;
  else taps_.erase(roomId);
  for (unsigned index : placement_->workersOf(roomId)) {  // none yet: applied when someone joins
    Worker* worker = workers_[index].get();
    worker->post([worker, roomId, tap] {
      if (Router* router = worker->findRouter(roomId)) router->setAudioTap(tap);
    });
  }
}

void MediaService::setRecordingTap(const std::string& roomId, std::shared_ptr<RecordingTap> tap) {
  if (tap) recordingTaps_[roomId] = tap;
  else recordingTaps_.erase(roomId);
  for (unsigned index : placement_->workersOf(roomId)) {
    Worker* worker = workers_[index].get();
    worker->post([worker, roomId, tap] {
      if (Router* router = worker->findRouter(roomId)) router->setRecordingTap(tap);
    });
  }
}

std::vector<std::uint16_t> MediaService::ports() const {
  std::vector<std::uint16_t> out;
  for (auto& w : workers_) out.push_back(w->port());
  return out;
}

std::size_t MediaService::placedStreams() const {
  std::size_t total = 0;
  for (unsigned w = 0; w < workers_.size(); ++w) total += placement_->estimatedStreams(w);
  return total;
}

std::string MediaService::renderMetrics() const {
  PrometheusText out;
  const auto sum = [&](auto member) {
    std::uint64_t total = 0;
    for (auto& w : workers_) total += (w->counters().*member).load(std::memory_order_relaxed);
    return total;
  };
  const auto sumT = [&](auto member) {
    std::uint64_t total = 0;
    for (auto& w : workers_) total += (w->transportMetrics().*member).load(std::memory_order_relaxed);
    return total;
  };
  out.gauge("parley_media_workers", "Media worker threads.", workers_.size());
  out.gauge("parley_media_transports", "WebRTC transports (two per participant with media).",
            sumT(&TransportMetrics::transports));
  out.counter("parley_rtp_packets_received_total", "RTP packets received from publishers.", sum(&MediaCounters::rtpReceived));
  out.counter("parley_rtp_packets_forwarded_total", "RTP packets sent to subscribers.", sum(&MediaCounters::rtpForwarded));
  out.counter("parley_rtp_bytes_forwarded_total", "RTP bytes sent to subscribers, before SRTP.",
              sum(&MediaCounters::bytesForwarded));
  out.counter("parley_rtcp_packets_received_total", "RTCP packets received.", sum(&MediaCounters::rtcpReceived));
  out.counter("parley_nacks_received_total", "NACK feedback packets from subscribers.", sum(&MediaCounters::nacksReceived));
  out.counter("parley_nacks_sent_total", "NACK feedback packets sent to publishers.", sum(&MediaCounters::nacksSent));
  out.counter("parley_retransmissions_total", "Packets resent from the retransmission buffer.",
              sum(&MediaCounters::retransmissions));
  out.counter("parley_retransmissions_refused_total",
              "NACKed packets not resent: already resent within a round-trip time, or past the stream's budget.",
              sum(&MediaCounters::retransmissionsRefused));
  out.counter("parley_plis_received_total", "PLI and FIR requests from subscribers.", sum(&MediaCounters::plisReceived));
  out.counter("parley_keyframe_requests_total", "PLIs sent to publishers (merged, at most one per 500 ms).",
              sum(&MediaCounters::keyFrameRequests));
  out.counter("parley_rtp_packets_piped_total", "RTP packets a worker received from another worker of the same room.",
              sum(&MediaCounters::rtpPiped));
  out.family("parley_rtp_packets_received_by_layer_total", "counter",
             "RTP packets received from publishers, by simulcast layer in the order offered (0 for one-layer tracks).");
  for (std::size_t layer = 0; layer < 3; ++layer) {
    std::uint64_t total = 0;
    for (auto& w : workers_) total += w->counters().rtpByLayer[layer].load(std::memory_order_relaxed);
    out.sample("parley_rtp_packets_received_by_layer_total", "layer=\"" + std::to_string(layer) + "\"", total);
  }
  out.counter("parley_layer_switches_total", "Subscribers' video streams moved to another simulcast layer.",
              sum(&MediaCounters::layerSwitches));
  out.counter("parley_publisher_layers_off_total", "Simulcast layers publishers were told to stop: nobody received them.",
              sum(&MediaCounters::publisherLayersOff));
  out.counter("parley_publisher_layers_on_total", "Simulcast layers publishers were told to send again.",
              sum(&MediaCounters::publisherLayersOn));
  out.gauge("parley_video_streams_paused", "Subscribers' video streams paused now: not shown (off screen, another page, a hidden window).",
            sumT(&TransportMetrics::pausedVideos));
  // A histogram of the subscribers' estimated downlinks now (Prometheus buckets cumulate).
  out.family("parley_subscriber_downlink_bps", "histogram",
             "Subscribers by estimated downlink (bit/s), from their transport-wide feedback; refreshed every second.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= kDownlinkBuckets.size(); ++i) {
    for (auto& w : workers_) cumulative += w->transportMetrics().downlinks[i].load(std::memory_order_relaxed);
    const std::string bound = i < kDownlinkBuckets.size() ? std::to_string(static_cast<std::uint64_t>(kDownlinkBuckets[i])) : "+Inf";
    out.sample("parley_subscriber_downlink_bps_bucket", "le=\"" + bound + "\"", cumulative);
  }
  out.sample("parley_subscriber_downlink_bps_sum", {}, sumT(&TransportMetrics::downlinkSumBps));
  out.sample("parley_subscriber_downlink_bps_count", {}, cumulative);
  out.counter("parley_bandwidth_probes_total", "Probe clusters sent to subscribers and answered by their feedback.",
              sum(&MediaCounters::probes));
  out.counter("parley_video_pauses_total", "Received videos paused because the subscriber stopped showing them.",
              sum(&MediaCounters::videoPauses));
  out.gauge("parley_media_rooms_spanning_workers", "Rooms whose participants are on more than one worker.",
            placement_->roomsSpanningWorkers());
  out.family("parley_media_worker_participants", "gauge", "Participants placed on each media worker.");
  for (unsigned w = 0; w < workers_.size(); ++w) {
    out.sample("parley_media_worker_participants", "worker=\"" + std::to_string(w) + "\"", placement_->participantsOn(w));
  }
  out.counter("parley_twcc_feedback_sent_total", "Transport-wide congestion control feedback packets sent.",
              sum(&MediaCounters::twccFeedbackSent));
  out.family("parley_media_batch_seconds", "summary", "From a batch of datagrams arriving to its last send, per worker batch.");
  out.sample("parley_media_batch_seconds_sum", {}, sumT(&TransportMetrics::batchMicrosTotal) / 1e6);
  out.sample("parley_media_batch_seconds_count", {}, sumT(&TransportMetrics::receiveBatches));
  std::uint64_t maxMicros = 0;
  for (auto& w : workers_) maxMicros = std::max<std::uint64_t>(maxMicros, w->transportMetrics().batchMicrosMax.load());
  out.gauge("parley_media_batch_seconds_max_micros", "The longest batch so far, in microseconds.", maxMicros);
  out.counter("parley_stun_requests_total", "STUN binding requests for our transports.", sumT(&TransportMetrics::stunRequests));
  out.counter("parley_ice_consent_checks_total", "Binding requests we sent to check a peer's consent (RFC 7675).",
              sumT(&TransportMetrics::consentChecks));
  out.counter("parley_published_tracks_refused_total", "Published tracks refused past a participant's limit.",
              sum(&MediaCounters::refusedTracks));
  out.counter("parley_backlog_key_frames_total",
              "Key frames asked for subscribers whose congested TCP path dropped video and drained.",
              sum(&MediaCounters::backlogKeyFrames));
  out.gauge("parley_ice_tcp_connections", "Open ICE-TCP connections.", sumT(&TransportMetrics::tcpOpen));
  out.counter("parley_ice_tcp_refused_total",
              "ICE-TCP connections refused over a limit or closed without an ICE check in time.",
              sumT(&TransportMetrics::tcpRefused));
  if (cascades_) {
    const auto cascade = [&](auto member) {
      std::uint64_t total = 0;
      for (auto& w : workers_) {
        if (const auto* c = w->cascadeCounters()) total += (c->*member).load(std::memory_order_relaxed);
      }
      return total;
    };
    out.counter("parley_cascade_packets_sent_total", "RTP packets sent to rooms' shards on other nodes.",
                cascade(&RemoteLinks::Counters::sent));
    out.counter("parley_cascade_packets_received_total", "RTP packets received from rooms' shards on other nodes.",
                cascade(&RemoteLinks::Counters::received));
    out.counter("parley_cascade_nacks_sent_total", "NACKs sent to other nodes for packets lost between nodes.",
                cascade(&RemoteLinks::Counters::nacksSent));
    out.counter("parley_cascade_retransmissions_total", "Packets sent again to another node that NACKed them.",
                cascade(&RemoteLinks::Counters::retransmitted));
    out.family("parley_cascade_dropped_total", "counter", "Cascade datagrams dropped, by reason.");
    out.sample("parley_cascade_dropped_total", "reason=\"unauthenticated\"", cascade(&RemoteLinks::Counters::unauthenticated));
    out.sample("parley_cascade_dropped_total", "reason=\"replayed\"", cascade(&RemoteLinks::Counters::replayed));
    out.sample("parley_cascade_dropped_total", "reason=\"unknown_source\"", cascade(&RemoteLinks::Counters::unknownSource));
    out.sample("parley_cascade_dropped_total", "reason=\"malformed\"", cascade(&RemoteLinks::Counters::malformed));
  }
  out.family("parley_media_dropped_total", "counter", "Media-port datagrams dropped, by reason.");
  const std::pair<const char*, std::uint64_t> dropped[] = {
      {"stun_unauthenticated", sumT(&TransportMetrics::stunRejected)},
      {"stun_unknown_ufrag", sumT(&TransportMetrics::unknownUfrag)},
      {"stun_malformed", sumT(&TransportMetrics::malformedStun)},
      {"stun_unmatched_response", sumT(&TransportMetrics::unmatchedResponses)},
      {"consent_refused", sumT(&TransportMetrics::consentRefusals)},
      {"unknown_source", sumT(&TransportMetrics::unknownSource)},
      {"unclassified", sumT(&TransportMetrics::unclassified)},
      {"srtp_unauthenticated", sumT(&TransportMetrics::srtpFailures)},
      {"dtls_failed", sumT(&TransportMetrics::dtlsFailures)},
      {"rtp_malformed", sum(&MediaCounters::malformedRtp)},
      {"rtcp_malformed", sum(&MediaCounters::malformedRtcp)},
      {"rtp_unknown_ssrc", sum(&MediaCounters::unknownSsrc)},
      {"sdp_rejected", sum(&MediaCounters::rejectedSdp)},
      {"pipe_full", sum(&MediaCounters::pipeDropped)},
      {"tcp_backlog", sumT(&TransportMetrics::tcpBacklogDrops)},
      {"tcp_framing", sumT(&TransportMetrics::tcpFramingErrors)},
  };
  for (const auto& [reason, value] : dropped) {
    out.sample("parley_media_dropped_total", std::string("reason=\"") + reason + "\"", value);
  }
  return out.str();
}

}  // namespace parley::sfu
