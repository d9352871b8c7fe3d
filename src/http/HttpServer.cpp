#include "http/HttpServer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/Metrics.h"
#include "http/TlsHandshake.h"
#include "http/WebSocketSession.h"

namespace parley::http {

namespace beast = boost::beast;

HttpServer::HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                       Router& router, signaling::RoomRegistry& rooms, HttpPolicy policy, TlsContext* tls)
    : acceptor_(io),
      backoff_(io),
      policy_(std::move(policy)),
      tls_(tls),
      limiter_(policy_.maxConnectionsPerAddress),
      context_{router, rooms, policy_, limiter_, [this](const std::shared_ptr<OpenWebSocket>& ws) {
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
  if (stopped_) return;
  acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
    onAccept(ec, std::move(socket));
  });
}

void HttpServer::onAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
  if (ec == boost::asio::error::operation_aborted || stopped_) return;
  if (ec) {
    // Out of file descriptors (or memory): the pending connection stays in the backlog and
    // accepting again at once would fail again, in a loop. Wait, longer each time.
    metrics().acceptErrors++;
    const bool first = backoffDelay_.count() == 0;
    backoffDelay_ = std::min(std::chrono::milliseconds(1000),
                             first ? std::chrono::milliseconds(50) : backoffDelay_ * 2);
    if (first) spdlog::warn("accept failed: {}; backing off", ec.message());
    backoff_.expires_after(backoffDelay_);
    backoff_.async_wait([this](const boost::system::error_code& waited) {
      if (!waited) acceptNext();
    });
    return;
  }
  if (backoffDelay_.count() != 0) {
    spdlog::info("accepting connections again");
    backoffDelay_ = std::chrono::milliseconds(0);
  }
  boost::system::error_code peerError;
  const auto peer = socket.remote_endpoint(peerError);
  std::unique_ptr<ConnectionLimiter::Ticket> ticket;
  // A trusted proxy, or another node of the cluster relaying, carries many clients: those are
  // counted by the address it names (HttpSession), not all together against its own.
  if (!peerError && !policy_.trusts(peer.address()) &&
      !(context_.placement && context_.placement->isClusterNode(peer.address()))) {
    ticket = limiter_.acquire(peer.address().to_string());
    if (!ticket) {
      metrics().httpRateLimited++;
      boost::system::error_code ignored;
      socket.close(ignored);
      acceptNext();
      return;
    }
  }
  socket.set_option(boost::asio::ip::tcp::no_delay(true), peerError);
  if (tls_) {
    std::make_shared<TlsHandshake>(std::move(socket), tls_->current(), context_, std::move(ticket))->start();
  } else {
    std::make_shared<HttpSession>(beast::tcp_stream(std::move(socket)), context_, std::move(ticket))->start();
  }
  acceptNext();
}

void HttpServer::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  backoff_.cancel();
  for (auto& weak : sockets_) {
    if (auto ws = weak.lock()) ws->shutdown();
  }
}

void HttpServer::abort() {
  for (auto& weak : sockets_) {
    if (auto ws = weak.lock()) ws->abort();
  }
}

std::size_t HttpServer::openWebSockets() const {
  return static_cast<std::size_t>(
      std::count_if(sockets_.begin(), sockets_.end(), [](const auto& weak) { return !weak.expired(); }));
}

}  // namespace parley::http
