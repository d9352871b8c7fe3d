#include "http/HttpServer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "http/WebSocketSession.h"

namespace parley::http {

HttpServer::HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                       Router& router, signaling::RoomRegistry& rooms)
    : acceptor_(io), context_{router, rooms, [this](const std::shared_ptr<WebSocketSession>& ws) {
                                // Forget sessions that ended, so the list stays as long as the live ones.
                                std::erase_if(sockets_, [](const auto& weak) { return weak.expired(); });
                                sockets_.push_back(ws);
                              }} {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
}

void HttpServer::start() { acceptNext(); }

void HttpServer::acceptNext() {
  acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      socket.set_option(boost::asio::ip::tcp::no_delay(true));
      std::make_shared<HttpSession>(std::move(socket), context_)->start();
    }
    acceptNext();
  });
}

void HttpServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : sockets_) {
    if (auto ws = weak.lock()) ws->shutdown();
  }
  sockets_.clear();
}

}  // namespace parley::http
