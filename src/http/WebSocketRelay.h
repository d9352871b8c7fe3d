#pragma once
// A client's signaling connection for a room homed on another node of the cluster: this
// node opens a WebSocket to the home (plain TCP on the nodes' network, with the cluster's
// relay key and the client's address), and only once the home has accepted it does it
// accept the client's upgrade; then frames go through both ways as they came, text or
// binary, one at a time in each direction (a side that reads slowly slows the other, and
// nothing piles up here). The home runs the protocol and its limits.
//
// Endings are passed on as they are, so the home tells a goodbye from a broken link as it
// would for a direct client: a close frame with its code (4000 for a client that will
// resume), or a broken connection as a broken one. If the home cannot be reached, the
// client gets 503 with Retry-After and tries again (by then the home may have changed).
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <memory>
#include <optional>
#include <string>

#include "http/ConnectionLimiter.h"
#include "http/HttpPolicy.h"
#include "http/OpenWebSocket.h"
#include "http/RoomPlacement.h"

namespace parley::http {

template <class Stream>
class BasicWebSocketRelay : public OpenWebSocket, public std::enable_shared_from_this<BasicWebSocketRelay<Stream>> {
 public:
  using Upgrade = boost::beast::http::request<boost::beast::http::string_body>;
  BasicWebSocketRelay(Stream client, RelayTarget home, ClientInfo who,
                      std::unique_ptr<ConnectionLimiter::Ticket> ticket);
  ~BasicWebSocketRelay() override;

  // Connects to the home, then accepts `upgrade` from the client.
  void start(Upgrade upgrade);
  void shutdown() override;
  void abort() override;

 private:
  using Upstream = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using Downstream = boost::beast::websocket::stream<Stream>;
  // One direction of the relay: frames read from one side, written to the other.
  struct Leg {
    boost::beast::flat_buffer buffer;
    bool writing = false;  // a frame is being written to the other side
    bool closeAfterWrite = false;
    boost::beast::websocket::close_reason closeReason;
  };

  void onUpstreamConnected(const boost::beast::error_code& ec);
  void onUpstreamHandshake(const boost::beast::error_code& ec);
  void refuseClient(unsigned status, std::string_view message);
  // Reads frames from one side and writes each to the other, one at a time.
  template <class From, class To>
  void pass(From& from, To& to, Leg& leg, bool& toCloseStarted, bool fromClient);
  // A side's read ended: pass the ending on to the other side.
  void clientEnded(const boost::beast::error_code& ec);
  void homeEnded(const boost::beast::error_code& ec);
  template <class To>
  void closeSide(To& to, Leg& leg, bool& closeStarted, boost::beast::websocket::close_reason reason);
  void dropBoth();

  Downstream client_;
  Upstream home_;
  RelayTarget target_;
  ClientInfo who_;
  std::unique_ptr<ConnectionLimiter::Ticket> ticket_;
  std::optional<Upgrade> upgrade_;
  Leg toHome_, toClient_;
  bool clientCloseStarted_ = false, homeCloseStarted_ = false;
  bool relaying_ = false;  // both sides open: frames flow
  bool ended_ = false;
};

}  // namespace parley::http
