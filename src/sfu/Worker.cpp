#include "sfu/Worker.h"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "common/Clock.h"

namespace parley::sfu {

namespace {
constexpr auto kTick = std::chrono::milliseconds(20);
constexpr std::int64_t kConsentTickMicros = 250000;
}

Worker::Worker(unsigned index, const std::vector<net::Address>& udpBindTo, const std::vector<net::Address>& tcpBindTo,
               std::vector<std::string> announcedIps, std::shared_ptr<dtls::Certificate> certificate,
               std::function<void(MediaEvent)> emit, const RemoteLinksFactory& remoteLinks)
    : index_(index),
      work_(boost::asio::make_work_guard(io_)),
      server_(io_, udpBindTo, tcpBindTo),
      announcedIps_(std::move(announcedIps)),
      certificate_(std::move(certificate)),
      emit_(std::move(emit)),
      wakeFd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      wakeDescriptor_(io_),
      timer_(io_) {
  if (wakeFd_ < 0) throw std::runtime_error("eventfd failed");
  server_.setCertificate(certificate_);
  wakeDescriptor_.assign(wakeFd_);  // closes it when destroyed
  if (remoteLinks) remote_ = remoteLinks(io_, index_, *this);
}

Worker::~Worker() { stop(); }

void Worker::start() {
  server_.start();
  outbound_.assign(siblings_.size(), nullptr);
  waitForPipes();
  tick();
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::error("media worker {} stopped: {}", index_, e.what());
    }
  });
}

void Worker::stop() {
  if (!thread_.joinable()) return;
  post([this] {
    stopped_ = true;  // a tick already queued must not arm the timer again
    timer_.cancel();
    wakeDescriptor_.cancel();
    routers_.clear();
    remote_.reset();
    server_.close();
    work_.reset();
    io_.stop();  // whatever else is pending (cancelled timers) need not run
  });
  thread_.join();
}

Router& Worker::router(const std::string& roomId) {
  auto& slot = routers_[roomId];
  if (!slot) {
    slot = std::make_unique<Router>(
        RouterContext{server_, certificate_->fingerprint(), announcedIps_, counters_, emit_, index_, this, &piped_},
        roomId);
  }
  return *slot;
}

Router* Worker::findRouter(const std::string& roomId) {
  const auto it = routers_.find(roomId);
  return it == routers_.end() ? nullptr : it->second.get();
}

void Worker::attachOutboundPipe(unsigned to, PipeRing* ring) {
  if (to < outbound_.size()) outbound_[to] = ring;
}

void Worker::attachInboundPipe(PipeRing* ring) {
  if (std::find(inbound_.begin(), inbound_.end(), ring) == inbound_.end()) inbound_.push_back(ring);
}

bool Worker::pipeRtp(unsigned worker, std::uint32_t pipeId, const std::uint8_t* data, std::size_t length) {
  if (isRemoteLink(worker)) return remote_ && remote_->pipeRtp(worker - kFirstRemoteLink, pipeId, data, length);
  PipeRing* ring = worker < outbound_.size() ? outbound_[worker] : nullptr;
  if (!ring || !ring->push(pipeId, data, length)) return false;
  if (ring->markWakePending()) siblings_[worker]->wake();
  return true;
}

void Worker::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wakeFd_, &one, sizeof one);
}

void Worker::waitForPipes() {
  wakeDescriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                             [this](const boost::system::error_code& ec) {
                               if (ec || stopped_) return;
                               std::uint64_t count = 0;
                               [[maybe_unused]] const auto read = ::read(wakeFd_, &count, sizeof count);
                               drainPipes();
                               waitForPipes();
                             });
}

void Worker::drainPipes() {
  // Bounded per round, like the socket, so piped media cannot starve this worker's own.
  bool more = false;
  const auto deliver = [this](PipedPacket& packet) {
    if (const auto it = piped_.find(packet.pipeId); it != piped_.end()) {
      it->second.router->onPipedRtp(it->second, packet.data.data(), packet.length);
    }  // else: the track ended here or is not announced yet
  };
  for (PipeRing* ring : inbound_) {
    ring->clearWakePending();
    int count = 0;
    while (count < 256 && ring->pop(deliver)) ++count;
    more = more || count == 256;
  }
  server_.socket().flush();
  if (more) post([this] { drainPipes(); });
}

void Worker::announceProducer(unsigned worker, const std::string& roomId, const RemoteProducerInfo& info) {
  if (isRemoteLink(worker)) {
    if (!remote_) return;
    cascadedRooms_[info.pipeId] = roomId;
    remote_->announceProducer(worker - kFirstRemoteLink, roomId, info);
    return;
  }
  onRouter(worker, roomId, [info](Router& router) { router.addRemoteProducer(info); });
}

void Worker::withdrawProducer(unsigned worker, const std::string& roomId, std::uint32_t pipeId) {
  if (isRemoteLink(worker)) {
    if (!remote_) return;
    cascadedRooms_.erase(pipeId);
    remote_->withdrawProducer(worker - kFirstRemoteLink, roomId, pipeId);
    return;
  }
  const unsigned origin = index_;
  onRouter(worker, roomId, [origin, pipeId](Router& router) { router.removeRemoteProducer(origin, pipeId); });
}

void Worker::relaySenderReport(unsigned worker, const std::string& roomId, std::uint32_t pipeId, int layer,
                               const rtp::SenderInfo& info) {
  if (isRemoteLink(worker)) {
    if (remote_) remote_->relaySenderReport(worker - kFirstRemoteLink, pipeId, layer, info);
    return;
  }
  const unsigned origin = index_;
  onRouter(worker, roomId, [origin, pipeId, layer, info](Router& router) {
    router.onRemoteSenderReport(origin, pipeId, layer, info);
  });
}

void Worker::requestKeyFrame(unsigned worker, const std::string& roomId, std::uint32_t pipeId, int layer) {
  if (isRemoteLink(worker)) {
    if (remote_) remote_->requestKeyFrame(worker - kFirstRemoteLink, pipeId, layer);
    return;
  }
  onRouter(worker, roomId, [pipeId, layer](Router& router) { router.onRemoteKeyFrameRequest(pipeId, layer); });
}

void Worker::attachRemote(unsigned slot, const RemoteShard& shard, const std::string& secret) {
  if (remote_) remote_->attach(slot, shard, secret);
}

void Worker::onCascadeRtp(unsigned slot, std::uint32_t pipeId, std::uint8_t* data, std::size_t length) {
  const auto it = piped_.find(pipedKey(kFirstRemoteLink + slot, pipeId));
  if (it != piped_.end()) it->second.router->onPipedRtp(it->second, data, length);
}

void Worker::onCascadeAnnouncement(unsigned slot, const std::string& roomId, const RemoteProducerInfo& info) {
  Router* router = findRouter(roomId);
  if (!router) return;  // nobody of that room here (any more)
  RemoteProducerInfo copy = info;
  copy.origin = kFirstRemoteLink + slot;
  router->addRemoteProducer(copy);
}

void Worker::onCascadeWithdrawal(unsigned slot, const std::string& roomId, std::uint32_t pipeId) {
  if (Router* router = findRouter(roomId)) router->removeRemoteProducer(kFirstRemoteLink + slot, pipeId);
}

void Worker::onCascadeSenderReport(unsigned slot, std::uint32_t pipeId, int layer, const rtp::SenderInfo& info) {
  const unsigned origin = kFirstRemoteLink + slot;
  const auto it = piped_.find(pipedKey(origin, pipeId));
  if (it != piped_.end()) it->second.router->onRemoteSenderReport(origin, pipeId, layer, info);
}

void Worker::onCascadeKeyFrameRequest(unsigned, std::uint32_t pipeId, int layer) {
  const auto it = cascadedRooms_.find(pipeId);
  if (it == cascadedRooms_.end()) return;
  if (Router* router = findRouter(it->second)) router->onRemoteKeyFrameRequest(pipeId, layer);
}

void Worker::releaseIfEmpty(const std::string& roomId) {
  const auto it = routers_.find(roomId);
  if (it != routers_.end() && it->second->empty()) routers_.erase(it);
}

void Worker::tick() {
  if (stopped_) return;
  const std::int64_t now = steadyMicrosNow();
  for (auto& [id, router] : routers_) router->tick(now);
  if (remote_) remote_->tick(now);
  // ICE consent of every transport on this port: checks, and expiry.
  if (now - lastConsent_ >= kConsentTickMicros) {
    lastConsent_ = now;
    server_.tick(std::chrono::steady_clock::now());
  }
  if (now - lastMetrics_ >= 1000000) {
    lastMetrics_ = now;
    publishTransportMetrics();
  }
  server_.socket().flush();
  timer_.expires_after(kTick);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_) tick();
  });
}

void Worker::publishTransportMetrics() {
  const auto& t = server_.transportCounters();
  const auto& d = server_.demuxCounters();
  auto& m = transportMetrics_;
  m.stunRequests.store(t.stunRequests, std::memory_order_relaxed);
  m.stunRejected.store(t.stunRejected, std::memory_order_relaxed);
  m.srtpFailures.store(t.srtpFailures, std::memory_order_relaxed);
  m.dtlsFailures.store(t.dtlsFailures, std::memory_order_relaxed);
  m.unknownSource.store(d.unknownSource, std::memory_order_relaxed);
  m.unknownUfrag.store(d.unknownUfrag, std::memory_order_relaxed);
  m.malformedStun.store(d.malformedStun, std::memory_order_relaxed);
  m.unclassified.store(d.unclassified, std::memory_order_relaxed);
  m.consentChecks.store(t.consentChecks, std::memory_order_relaxed);
  m.consentRefusals.store(t.consentRefusals, std::memory_order_relaxed);
  m.unmatchedResponses.store(d.unmatchedResponses, std::memory_order_relaxed);
  m.transports.store(server_.transportCount(), std::memory_order_relaxed);
  m.rooms.store(routers_.size(), std::memory_order_relaxed);
  DownlinkCounts downlinks{};
  double downlinkSum = 0;
  for (auto& [id, router] : routers_) downlinkSum += router->countDownlinks(downlinks);
  for (std::size_t i = 0; i < downlinks.size(); ++i) m.downlinks[i].store(downlinks[i], std::memory_order_relaxed);
  m.downlinkSumBps.store(static_cast<std::uint64_t>(downlinkSum), std::memory_order_relaxed);
  std::uint64_t paused = 0;
  for (auto& [id, router] : routers_) paused += router->countPausedVideos();
  m.pausedVideos.store(paused, std::memory_order_relaxed);
  const auto& socket = server_.socket().stats();
  m.receiveBatches.store(socket.receiveBatches, std::memory_order_relaxed);
  m.batchMicrosTotal.store(socket.batchMicrosTotal, std::memory_order_relaxed);
  m.batchMicrosMax.store(socket.batchMicrosMax, std::memory_order_relaxed);
  if (const auto tcp = server_.tcpStats()) {
    m.tcpOpen.store(tcp->open, std::memory_order_relaxed);
    m.tcpRefused.store(tcp->refused + tcp->unboundClosed, std::memory_order_relaxed);
    m.tcpBacklogDrops.store(tcp->droppedBacklog, std::memory_order_relaxed);
    m.tcpFramingErrors.store(tcp->framingErrors, std::memory_order_relaxed);
  }
}

}  // namespace parley::sfu
