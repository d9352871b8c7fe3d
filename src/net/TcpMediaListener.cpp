#include "net/TcpMediaListener.h"

#include <cstring>

namespace parley::net {

namespace {
Address addressOf(const boost::asio::ip::tcp::endpoint& endpoint, std::uint8_t localIndex) {
  Address a = Address::fromSockaddr(endpoint.data());
  a.tcp = true;
  a.local = localIndex;
  return a;
}

// The key of a peer's IP in the count of unproven connections: the address without its port.
Address hostOf(Address peer) {
  peer.port = 0;
  return peer;
}
}  // namespace

TcpMediaListener::TcpMediaListener(boost::asio::io_context& io, const Address& bindTo, std::uint8_t localIndex)
    : acceptor_(io), localIndex_(localIndex) {
  sockaddr_storage storage;
  const socklen_t length = bindTo.toSockaddr(storage);
  boost::asio::ip::tcp::endpoint endpoint;
  std::memcpy(endpoint.data(), &storage, length);
  endpoint.resize(length);
  try {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
    if (bindTo.v6) acceptor_.set_option(boost::asio::ip::v6_only(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(boost::asio::socket_base::max_listen_connections);
    localPort_ = acceptor_.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw TcpPortUnavailable("cannot listen on TCP " + bindTo.toString() + ": " + e.code().message());
  }
}

TcpMediaListener::~TcpMediaListener() { close(); }

void TcpMediaListener::start(TcpMediaConnection::Events events) {
  events_ = std::move(events);
  // A connection's end also ends its entry here (after the owner heard of it).
  auto closed = events_.closed;
  events_.closed = [this, closed](const Address& peer) {
    if (closed_) return;  // closing everything: the owner may be going away
    closed(peer);
    forget(peer);
  };
  acceptNext();
}

void TcpMediaListener::acceptNext() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket) {
    if (ec == boost::asio::error::operation_aborted || closed_) return;
    if (!ec) onAccepted(std::move(socket));
    acceptNext();
  });
}

void TcpMediaListener::onAccepted(boost::asio::ip::tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  const Address peer = addressOf(remote, localIndex_);
  if (connections_.size() >= kMaxConnections || unboundFrom(peer) >= kMaxUnboundPerIp || connections_.count(peer)) {
    stats_.refused++;
    socket.close(ec);
    return;
  }
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  stats_.accepted++;
  auto connection = std::make_shared<TcpMediaConnection>(std::move(socket), peer, events_);
  connections_.emplace(peer, connection);
  ++unbound_[hostOf(peer)];
  connection->start();
}

std::size_t TcpMediaListener::unboundFrom(const Address& peer) const {
  const auto it = unbound_.find(hostOf(peer));
  return it == unbound_.end() ? 0 : it->second;
}

void TcpMediaListener::countBound(const Address& peer) {
  const auto it = unbound_.find(hostOf(peer));
  if (it != unbound_.end() && --it->second == 0) unbound_.erase(it);
}

void TcpMediaListener::connect(const Address& to, std::function<void(bool)> done) {
  Address remote = to;
  remote.tcp = true;
  remote.local = localIndex_;
  sockaddr_storage storage;
  const socklen_t length = remote.toSockaddr(storage);
  boost::asio::ip::tcp::endpoint endpoint;
  std::memcpy(endpoint.data(), &storage, length);
  endpoint.resize(length);
  auto socket = std::make_shared<boost::asio::ip::tcp::socket>(acceptor_.get_executor());
  pending_.push_back(socket);
  socket->async_connect(endpoint, [this, alive = alive_, socket, remote,
                                   done = std::move(done)](const boost::system::error_code& ec) {
    if (!*alive) return;  // closed (or gone) meanwhile
    std::erase(pending_, socket);
    if (ec || connections_.count(remote)) return done(false);
    boost::system::error_code ignored;
    socket->set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    auto connection = std::make_shared<TcpMediaConnection>(std::move(*socket), remote, events_);
    connection->bound = true;  // we chose whom to call
    connections_.emplace(remote, connection);
    connection->start();
    done(true);
  });
}

bool TcpMediaListener::send(const Address& to, const std::uint8_t* data, std::size_t length, bool droppable) {
  const auto it = connections_.find(to);
  return it != connections_.end() && it->second->send(data, length, droppable);
}

void TcpMediaListener::markBound(const Address& peer) {
  const auto it = connections_.find(peer);
  if (it == connections_.end() || it->second->bound) return;
  it->second->bound = true;
  countBound(peer);
}

void TcpMediaListener::closeConnection(const Address& peer) {
  const auto it = connections_.find(peer);
  if (it != connections_.end()) it->second->close();  // erases it
}

void TcpMediaListener::tick(std::chrono::steady_clock::time_point now) {
  std::vector<std::shared_ptr<TcpMediaConnection>> late;
  for (const auto& [address, connection] : connections_) {
    if (!connection->bound && now - connection->opened() > kBindDeadline) late.push_back(connection);
  }
  for (auto& connection : late) {
    stats_.unboundClosed++;
    connection->close();
  }
}

void TcpMediaListener::forget(const Address& peer) {
  const auto it = connections_.find(peer);
  if (it == connections_.end()) return;
  stats_.droppedBacklog += it->second->counters().droppedBacklog;
  stats_.framingErrors += it->second->counters().framingErrors;
  if (!it->second->bound) countBound(peer);
  connections_.erase(it);
}

TcpMediaListener::Stats TcpMediaListener::stats() const {
  Stats total = stats_;
  for (const auto& [address, connection] : connections_) {
    total.droppedBacklog += connection->counters().droppedBacklog;
    total.framingErrors += connection->counters().framingErrors;
  }
  total.open = connections_.size();
  return total;
}

void TcpMediaListener::close() {
  if (closed_) return;
  closed_ = true;
  *alive_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& socket : pending_) socket->close(ignored);
  pending_.clear();
  auto connections = std::move(connections_);
  connections_.clear();
  unbound_.clear();
  for (auto& [address, connection] : connections) connection->close();
}

}  // namespace parley::net
