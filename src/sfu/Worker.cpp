#include "common/Clock.h"
#include "sfu/Worker.h"

#include <spdlog/spdlog.h>

namespace parley::sfu {

namespace {
constexpr auto kTick = std::chrono::milliseconds(20);
}

Worker::Worker(unsigned index, const net::Address& bindTo, std::string announcedIp,
               std::shared_ptr<dtls::Certificate> certificate, std::function<void(MediaEvent)> emit)
    : index_(index),
      work_(boost::asio::make_work_guard(io_)),
      server_(io_, bindTo),
      announcedIp_(std::move(announcedIp)),
      certificate_(std::move(certificate)),
      emit_(std::move(emit)),
      timer_(io_) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  server_.start();
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
    routers_.clear();
    server_.socket().close();
    work_.reset();
    io_.stop();  // whatever else is pending (cancelled timers) need not run
  });
  thread_.join();
}

Router& Worker::router(const std::string& roomId) {
  auto& slot = routers_[roomId];
  if (!slot) {
    slot = std::make_unique<Router>(RouterContext{server_, certificate_, announcedIp_, counters_, emit_}, roomId);
  }
  return *slot;
}

void Worker::releaseIfEmpty(const std::string& roomId) {
  const auto it = routers_.find(roomId);
  if (it != routers_.end() && it->second->empty()) routers_.erase(it);
}

void Worker::tick() {
  if (stopped_) return;
  const std::int64_t now = steadyMicrosNow();
  for (auto& [id, router] : routers_) router->tick(now);
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
  m.transports.store(server_.transportCount(), std::memory_order_relaxed);
  m.rooms.store(routers_.size(), std::memory_order_relaxed);
  const auto& socket = server_.socket().stats();
  m.receiveBatches.store(socket.receiveBatches, std::memory_order_relaxed);
  m.batchMicrosTotal.store(socket.batchMicrosTotal, std::memory_order_relaxed);
  m.batchMicrosMax.store(socket.batchMicrosMax, std::memory_order_relaxed);
}

}  // namespace parley::sfu
