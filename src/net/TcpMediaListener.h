#pragma once
// A worker's ICE-TCP port (RFC 6544, passive candidates): accepts the connections browsers
// open when UDP does not get through, and holds them by the peer's address. Everything an
// anonymous peer can do here is bounded: connections per worker (kMaxConnections) and per
// source address before they prove themselves (kMaxUnboundPerIp), and a connection whose
// first authentic ICE check has not come within kBindDeadline is closed.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "net/TcpMediaConnection.h"

namespace parley::net {

struct TcpPortUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class TcpMediaListener {
 public:
  static constexpr std::size_t kMaxConnections = 4096;
  static constexpr std::size_t kMaxUnboundPerIp = 16;
  static constexpr auto kBindDeadline = std::chrono::seconds(10);

  // Binds and listens; throws TcpPortUnavailable if it cannot (the port is taken). Peers'
  // addresses are marked tcp and stamped with `localIndex` (Address::local).
  TcpMediaListener(boost::asio::io_context& io, const Address& bindTo, std::uint8_t localIndex = 0);
  ~TcpMediaListener();

  void start(TcpMediaConnection::Events events);
  void close();
  std::uint16_t localPort() const { return localPort_; }

  // The active side (the load generator): opens a connection to `to` and tells `done`
  // whether it could. The connection is then held (by `to` marked tcp and with this
  // listener's local index) and used like an accepted one.
  void connect(const Address& to, std::function<void(bool connected)> done);
  // Frames one packet to the connection from `to`; false if there is none or it dropped it.
  bool send(const Address& to, const std::uint8_t* data, std::size_t length, bool droppable);
  // An authentic ICE check came on the connection from `peer`: it may stay.
  void markBound(const Address& peer);
  // Closes the connection from `peer` (its transport is gone), if there is one.
  void closeConnection(const Address& peer);
  // Closes connections past their deadline; the worker's clock calls it.
  void tick(std::chrono::steady_clock::time_point now);

  struct Stats {
    std::uint64_t accepted = 0;
    std::uint64_t refused = 0;        // over a limit
    std::uint64_t unboundClosed = 0;  // no ICE check in time
    std::uint64_t droppedBacklog = 0;
    std::uint64_t framingErrors = 0;
    std::size_t open = 0;
  };
  Stats stats() const;

 private:
  void acceptNext();
  void onAccepted(boost::asio::ip::tcp::socket socket);
  void forget(const Address& peer);
  std::size_t unboundFrom(const Address& peer) const;
  void countBound(const Address& peer);  // one fewer unproven connection from its IP

  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t localPort_ = 0;
  std::uint8_t localIndex_ = 0;
  TcpMediaConnection::Events events_;
  std::unordered_map<Address, std::shared_ptr<TcpMediaConnection>, AddressHash> connections_;
  // Unproven connections per peer IP (port 0), so the per-IP limit costs O(1) an accept.
  std::unordered_map<Address, std::size_t, AddressHash> unbound_;
  Stats stats_;  // of connections gone; stats() adds the open ones
  bool closed_ = false;
  // Connections being opened (connect()); their handlers check `alive_` first, as they may
  // run after this listener is closed or gone.
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> pending_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace parley::net
