#pragma once
// Accepts TCP connections for HTTP and signaling on the control-plane io_context.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <vector>

#include "http/HttpSession.h"

namespace parley::http {

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, Router& router,
             signaling::RoomRegistry& rooms);
  void start();
  // Stops accepting and closes every WebSocket with "going away".
  void stop();
  boost::asio::ip::tcp::endpoint localEndpoint() const { return acceptor_.local_endpoint(); }

 private:
  void acceptNext();

  boost::asio::ip::tcp::acceptor acceptor_;
  HttpContext context_;
  std::vector<std::weak_ptr<WebSocketSession>> sockets_;
};

}  // namespace parley::http
