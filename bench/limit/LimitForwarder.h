#pragma once
// The least a forwarding server can do for a load, measured beside Parley: per received
// packet, one address lookup and an SRTP decrypt; per receiver of it, a copy and an SRTP
// encrypt into the sendmmsg batch. No ICE, DTLS, RTCP, feedback, rewriting, NACK buffers,
// bandwidth estimation or ticks: only what no SFU can avoid, on Parley's own batching
// socket (net::UdpSocket: recvmmsg of 32, sendmmsg of 64) and SRTP (srtp::SrtpSession).
// One io_context per worker thread, as in Parley; rooms are placed on workers round robin.
#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "net/Address.h"
#include "net/UdpSocket.h"
#include "srtp/SrtpSession.h"

namespace parley::bench {

// One participant as the forwarder knows it: where its packets come from and go to, its
// SRTP both ways, the video layer it receives (-1: video of any SSRC, no simulcast), and the
// SSRCs of its video layers when it publishes.
struct LimitEndpoint {
  net::Address address;
  std::unique_ptr<srtp::SrtpSession> inbound, outbound;
  bool receives = false;
  int wantedLayer = -1;
  std::vector<std::uint32_t> layerSsrcs;  // smallest first; empty when it does not publish video
  std::size_t room = 0;
};

class LimitWorker {
 public:
  explicit LimitWorker(const net::Address& bindTo);
  void add(LimitEndpoint& endpoint);  // before run()
  void run() { io_.run(); }
  void stop() { io_.stop(); }
  std::uint16_t port() const { return socket_.localPort(); }
  // Packets sent so far; read from any thread.
  std::uint64_t forwarded() const { return forwarded_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  void onPacket(std::uint8_t* data, std::size_t length, const net::Address& from);
  // The layer of `ssrc` among the sender's video layers, -1 for audio or a single layer.
  static int layerOf(const LimitEndpoint& sender, std::uint32_t ssrc);

  boost::asio::io_context io_;
  net::UdpSocket socket_;
  std::unordered_map<net::Address, LimitEndpoint*, net::AddressHash> byAddress_;
  std::unordered_map<std::size_t, std::vector<LimitEndpoint*>> rooms_;
  std::uint64_t sent_ = 0, failed_ = 0;  // the worker's own counts
  std::atomic<std::uint64_t> forwarded_{0}, failures_{0};  // their copies for other threads
};

}  // namespace parley::bench
