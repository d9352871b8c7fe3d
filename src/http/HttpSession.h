#pragma once
// One HTTP/1.1 connection: reads requests with size and time limits, answers through the
// Router, and hands WebSocket upgrades for /ws/{room} to a WebSocketSession.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "http/Router.h"

namespace parley::http {

class WebSocketSession;

struct HttpContext {
  Router& router;
  signaling::RoomRegistry& rooms;
  // Called for every accepted WebSocket, so the server can close them on shutdown.
  std::function<void(const std::shared_ptr<WebSocketSession>&)> onWebSocket;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, HttpContext& context);
  void start();

 private:
  void readNext();
  void onRead(boost::beast::error_code ec);
  void write(Response response);
  void upgrade();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpContext& context_;
  std::string clientAddress_;
};

}  // namespace parley::http
