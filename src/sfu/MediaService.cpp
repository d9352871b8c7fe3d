#include "sfu/MediaService.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "dtls/Certificate.h"
#include "sfu/Worker.h"

namespace parley::sfu {

const char* sourceName(TrackSource source) {
  switch (source) {
    case TrackSource::Camera: return "camera";
    case TrackSource::Microphone: return "microphone";
    case TrackSource::Screen: return "screen";
    case TrackSource::ScreenAudio: return "screen-audio";
  }
  return "camera";
}

bool parseSource(const std::string& name, TrackSource& out) {
  for (auto s : {TrackSource::Camera, TrackSource::Microphone, TrackSource::Screen, TrackSource::ScreenAudio}) {
    if (name == sourceName(s)) {
      out = s;
      return true;
    }
  }
  return false;
}

MediaService::MediaService(const MediaConfig& config, boost::asio::io_context& control,
                           std::function<void(const MediaEvent&)> onEvent) {
  auto certificate = dtls::Certificate::generate();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const unsigned wanted = config.workers ? config.workers : cores;
  const std::string announced = config.announcedIp.empty() ? config.bindIp : config.announcedIp;
  auto emit = [&control, onEvent](MediaEvent event) {
    boost::asio::post(control, [onEvent, event = std::move(event)] { onEvent(event); });
  };
  // One port per worker from the range; ports already taken are skipped.
  for (unsigned port = config.portMin; port <= config.portMax && workers_.size() < wanted; ++port) {
    net::Address bindTo;
    if (!net::Address::parse(config.bindIp, static_cast<std::uint16_t>(port), bindTo)) {
      throw std::runtime_error("invalid media address " + config.bindIp);
    }
    try {
      workers_.push_back(std::make_unique<Worker>(static_cast<unsigned>(workers_.size()), bindTo, announced,
                                                  certificate, emit));
    } catch (const std::exception& e) {
      spdlog::warn("media port {} unavailable: {}", port, e.what());
    }
  }
  if (workers_.empty()) {
    throw std::runtime_error("no UDP port free in " + std::to_string(config.portMin) + "-" +
                             std::to_string(config.portMax));
  }
  load_.assign(workers_.size(), 0);
  for (auto& w : workers_) w->start();
  std::ostringstream ports;
  for (auto& w : workers_) ports << (ports.tellp() ? "," : "") << w->port();
  spdlog::info("media: {} workers on UDP {}:{}, announced as {}", workers_.size(), config.bindIp, ports.str(), announced);
}

MediaService::~MediaService() {
  for (auto& w : workers_) w->stop();
}

Worker* MediaService::workerFor(const std::string& roomId) const {
  const auto it = rooms_.find(roomId);
  return it == rooms_.end() ? nullptr : it->second.worker;
}

void MediaService::join(const std::string& roomId, const std::string& participantId) {
  auto it = rooms_.find(roomId);
  if (it == rooms_.end()) {
    // A new room goes to the worker with the fewest participants.
    std::size_t best = 0;
    for (std::size_t i = 1; i < workers_.size(); ++i) {
      if (load_[i] < load_[best]) best = i;
    }
    it = rooms_.emplace(roomId, Placement{workers_[best].get(), 0}).first;
  }
  it->second.participants++;
  load_[it->second.worker->index()]++;
  Worker* worker = it->second.worker;
  std::shared_ptr<AudioTap> tap;
  if (const auto t = taps_.find(roomId); t != taps_.end()) tap = t->second;
  worker->post([worker, roomId, participantId, tap] {
    Router& router = worker->router(roomId);
    if (tap) router.setAudioTap(tap);
    router.join(participantId);
  });
}

void MediaService::leave(const std::string& roomId, const std::string& participantId) {
  const auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return;
  Worker* worker = it->second.worker;
  load_[worker->index()]--;
  if (--it->second.participants == 0) rooms_.erase(it);
  worker->post([worker, roomId, participantId] {
    worker->router(roomId).leave(participantId);
    worker->releaseIfEmpty(roomId);
  });
}

void MediaService::publish(const std::string& roomId, const std::string& participantId, std::string offer,
                           std::map<std::string, TrackSource> sources) {
  Worker* worker = workerFor(roomId);
  if (!worker) return;
  worker->post([worker, roomId, participantId, offer = std::move(offer), sources = std::move(sources)] {
    worker->router(roomId).publish(participantId, offer, sources);
  });
}

void MediaService::subscriberAnswer(const std::string& roomId, const std::string& participantId, std::string answer) {
  Worker* worker = workerFor(roomId);
  if (!worker) return;
  worker->post([worker, roomId, participantId, answer = std::move(answer)] {
    worker->router(roomId).subscriberAnswer(participantId, answer);
  });
}

void MediaService::setAudioTap(const std::string& roomId, std::shared_ptr<AudioTap> tap) {
  if (tap) taps_[roomId] = tap;
  else taps_.erase(roomId);
  Worker* worker = workerFor(roomId);
  if (!worker) return;  // applied when someone joins
  worker->post([worker, roomId, tap] { worker->router(roomId).setAudioTap(tap); });
}

std::vector<std::uint16_t> MediaService::ports() const {
  std::vector<std::uint16_t> out;
  for (auto& w : workers_) out.push_back(w->port());
  return out;
}

std::string MediaService::renderMetrics() const {
  std::ostringstream out;
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
  const auto counter = [&](const char* name, const char* help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << value << '\n';
  };
  const auto gauge = [&](const char* name, const char* help, std::uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n" << name << ' ' << value << '\n';
  };
  gauge("parley_media_workers", "Media worker threads.", workers_.size());
  gauge("parley_media_transports", "WebRTC transports (two per participant with media).", sumT(&TransportMetrics::transports));
  counter("parley_rtp_packets_received_total", "RTP packets received from publishers.", sum(&MediaCounters::rtpReceived));
  counter("parley_rtp_packets_forwarded_total", "RTP packets sent to subscribers.", sum(&MediaCounters::rtpForwarded));
  counter("parley_rtp_bytes_forwarded_total", "RTP bytes sent to subscribers, before SRTP.", sum(&MediaCounters::bytesForwarded));
  counter("parley_rtcp_packets_received_total", "RTCP packets received.", sum(&MediaCounters::rtcpReceived));
  counter("parley_nacks_received_total", "NACK feedback packets from subscribers.", sum(&MediaCounters::nacksReceived));
  counter("parley_nacks_sent_total", "NACK feedback packets sent to publishers.", sum(&MediaCounters::nacksSent));
  counter("parley_retransmissions_total", "Packets resent from the retransmission buffer.", sum(&MediaCounters::retransmissions));
  counter("parley_plis_received_total", "PLI and FIR requests from subscribers.", sum(&MediaCounters::plisReceived));
  counter("parley_keyframe_requests_total", "PLIs sent to publishers (merged, at most one per 500 ms).", sum(&MediaCounters::keyFrameRequests));
  counter("parley_twcc_feedback_sent_total", "Transport-wide congestion control feedback packets sent.", sum(&MediaCounters::twccFeedbackSent));
  out << "# HELP parley_media_batch_seconds From a batch of datagrams arriving to its last send, per worker batch.\n"
         "# TYPE parley_media_batch_seconds summary\n"
      << "parley_media_batch_seconds_sum " << sumT(&TransportMetrics::batchMicrosTotal) / 1e6 << '\n'
      << "parley_media_batch_seconds_count " << sumT(&TransportMetrics::receiveBatches) << '\n';
  std::uint64_t maxMicros = 0;
  for (auto& w : workers_) maxMicros = std::max<std::uint64_t>(maxMicros, w->transportMetrics().batchMicrosMax.load());
  gauge("parley_media_batch_seconds_max_micros", "The longest batch so far, in microseconds.", maxMicros);
  counter("parley_stun_requests_total", "STUN binding requests for our transports.", sumT(&TransportMetrics::stunRequests));
  out << "# HELP parley_media_dropped_total Media-port datagrams dropped, by reason.\n"
         "# TYPE parley_media_dropped_total counter\n";
  const std::pair<const char*, std::uint64_t> dropped[] = {
      {"stun_unauthenticated", sumT(&TransportMetrics::stunRejected)},
      {"stun_unknown_ufrag", sumT(&TransportMetrics::unknownUfrag)},
      {"stun_malformed", sumT(&TransportMetrics::malformedStun)},
      {"unknown_source", sumT(&TransportMetrics::unknownSource)},
      {"unclassified", sumT(&TransportMetrics::unclassified)},
      {"srtp_unauthenticated", sumT(&TransportMetrics::srtpFailures)},
      {"dtls_failed", sumT(&TransportMetrics::dtlsFailures)},
      {"rtp_malformed", sum(&MediaCounters::malformedRtp)},
      {"rtcp_malformed", sum(&MediaCounters::malformedRtcp)},
      {"rtp_unknown_ssrc", sum(&MediaCounters::unknownSsrc)},
      {"sdp_rejected", sum(&MediaCounters::rejectedSdp)},
  };
  for (const auto& [reason, value] : dropped) {
    out << "parley_media_dropped_total{reason=\"" << reason << "\"} " << value << '\n';
  }
  return out.str();
}

}  // namespace parley::sfu
