#pragma once
// A media worker: one thread, one io_context, one UDP port, and the rooms placed on it.
// Everything a worker owns is touched only by its thread; others post to it.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "dtls/Certificate.h"
#include "sfu/MediaTypes.h"
#include "sfu/Router.h"
#include "webrtc/WebRtcServer.h"

namespace parley::sfu {

// What a worker's demultiplexer and transports counted, copied out once a second.
struct alignas(64) TransportMetrics {
  std::atomic<std::uint64_t> stunRequests{0}, stunRejected{0}, srtpFailures{0}, dtlsFailures{0};
  std::atomic<std::uint64_t> unknownSource{0}, unknownUfrag{0}, malformedStun{0}, unclassified{0};
  std::atomic<std::uint64_t> transports{0}, rooms{0};
  std::atomic<std::uint64_t> receiveBatches{0}, batchMicrosTotal{0}, batchMicrosMax{0};
};

class Worker {
 public:
  Worker(unsigned index, const net::Address& bindTo, std::string announcedIp,
         std::shared_ptr<dtls::Certificate> certificate, std::function<void(MediaEvent)> emit);
  ~Worker();

  void start();
  void stop();

  template <typename F>
  void post(F&& task) {
    boost::asio::post(io_, std::forward<F>(task));
  }

  // Worker thread only.
  Router& router(const std::string& roomId);
  void releaseIfEmpty(const std::string& roomId);

  unsigned index() const { return index_; }
  std::uint16_t port() const { return server_.port(); }
  const MediaCounters& counters() const { return counters_; }
  const TransportMetrics& transportMetrics() const { return transportMetrics_; }

 private:
  void tick();
  void publishTransportMetrics();

  unsigned index_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  webrtc::WebRtcServer server_;
  std::string announcedIp_;
  std::shared_ptr<dtls::Certificate> certificate_;
  std::function<void(MediaEvent)> emit_;
  std::unordered_map<std::string, std::unique_ptr<Router>> routers_;
  boost::asio::steady_timer timer_;
  std::int64_t lastMetrics_ = 0;
  bool stopped_ = false;  // worker thread only
  MediaCounters counters_;
  TransportMetrics transportMetrics_;
  std::thread thread_;
};

}  // namespace parley::sfu
