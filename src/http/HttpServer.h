#pragma once
// Accepts TCP connections for HTTP and signaling on the control-plane io_context. Each
// client address may hold a bounded number of connections; when the process runs out of
// file descriptors, accepting backs off (from 50 ms to 1 s) instead of spinning. With a
// TlsContext, every connection is HTTPS (and its WebSockets WSS).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "http/ConnectionLimiter.h"
#include "http/HttpPolicy.h"
#include "http/HttpSession.h"
#include "http/TlsContext.h"

namespace parley::http {

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, Router& router,
             signaling::RoomRegistry& rooms, HttpPolicy policy = {}, TlsContext* tls = nullptr);
  void start();
  // Stops accepting and closes every WebSocket with "going away".
  void stop();
  // After stop(), once the clients had time to answer: ends the WebSockets still open, so
  // that every participant leaves while the rooms exist (a session left to the io_context's
  // destructor would leave a room destroyed before it).
  void abort();
  // A node of a cluster: rooms homed on other nodes get their signaling relayed there.
  void setPlacement(RoomPlacement* placement) { context_.placement = placement; }
  // WebSocket sessions not yet destroyed.
  std::size_t openWebSockets() const;
  boost::asio::ip::tcp::endpoint localEndpoint() const { return acceptor_.local_endpoint(); }

 private:
  void acceptNext();
  void onAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  std::chrono::milliseconds backoffDelay_{0};
  HttpPolicy policy_;
  TlsContext* tls_;
  ConnectionLimiter limiter_;
  HttpContext context_;
  std::vector<std::weak_ptr<OpenWebSocket>> sockets_;
  bool stopped_ = false;
};

}  // namespace parley::http
