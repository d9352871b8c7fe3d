#pragma once
// One HTTP/1.1 connection: reads a request's headers (size and time limits), refuses what
// must not be read further (unknown Host, a Transfer-Encoding a proxy could read otherwise),
// reads the body, answers through the Router, and hands WebSocket upgrades for /ws/{room} to
// a WebSocketSession. After a refused request it closes gracefully, draining what the
// client still sends for a moment, so the client reads the answer instead of a reset.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "http/ConnectionLimiter.h"
#include "http/HttpPolicy.h"
#include "http/Router.h"

namespace parley::http {

class WebSocketSession;

struct HttpContext {
  Router& router;
  signaling::RoomRegistry& rooms;
  const HttpPolicy& policy;
  ConnectionLimiter& limiter;
  // Called for every accepted WebSocket, so the server can close them on shutdown.
  std::function<void(const std::shared_ptr<WebSocketSession>&)> onWebSocket;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `ticket` counts this connection against its address (null: not counted, a proxy).
  HttpSession(boost::asio::ip::tcp::socket socket, HttpContext& context,
              std::unique_ptr<ConnectionLimiter::Ticket> ticket);
  void start();

 private:
  void readNext();
  void onHeader(boost::beast::error_code ec);
  void onBody(boost::beast::error_code ec);
  // Answers a request that cannot be handled further, then closes.
  void refuse(unsigned status, std::string_view message);
  void write(Response response);
  void upgrade();
  void closeGracefully();
  void drain();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpContext& context_;
  std::unique_ptr<ConnectionLimiter::Ticket> ticket_;
  boost::asio::ip::address peer_;
  ClientInfo client_;
  std::array<char, 4096> discard_{};
  std::size_t drained_ = 0;
};

}  // namespace parley::http
