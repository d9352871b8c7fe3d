#pragma once
// One HTTP/1.1 connection: reads a request's headers (size and time limits), refuses what
// must not be read further (unknown Host, a Transfer-Encoding a proxy could read otherwise),
// reads the body, answers through the Router, and hands WebSocket upgrades for /ws/{room} to
// a WebSocketSession. In a cluster, a room's signaling and REST API are served by its home
// node: this node relays them there (WebSocketRelay, HttpRelay). After a refused request it closes gracefully, draining what the
// client still sends for a moment, so the client reads the answer instead of a reset.
// The same code serves plain TCP and TLS (HttpsSession, after TlsHandshake), as Beast's
// streams share one interface; only the closing differs.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "http/ConnectionLimiter.h"
#include "http/HttpPolicy.h"
#include "http/RoomPlacement.h"
#include "http/Router.h"
#include "signaling/SignalingSession.h"

namespace parley::http {

class OpenWebSocket;

// Beast's TLS stream over a TCP stream with timeouts: HTTPS and WSS.
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

struct HttpContext {
  Router& router;
  signaling::RoomRegistry& rooms;
  const HttpPolicy& policy;
  ConnectionLimiter& limiter;
  // Called for every accepted WebSocket, so the server can close them on shutdown.
  std::function<void(const std::shared_ptr<OpenWebSocket>&)> onWebSocket;
  // A node of a cluster: where each room's signaling is served (null: here, always).
  RoomPlacement* placement = nullptr;
};

template <class Stream>
class BasicHttpSession : public std::enable_shared_from_this<BasicHttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;
  // `ticket` counts this connection against its address (null: not counted, a proxy).
  BasicHttpSession(Stream stream, HttpContext& context, std::unique_ptr<ConnectionLimiter::Ticket> ticket);
  void start();

 private:
  void readNext();
  void onHeader(boost::beast::error_code ec);
  void onBody(boost::beast::error_code ec);
  // Answers the request read, here.
  void answer();
  // The room whose home serves this request in a cluster (its REST API below
  // /api/rooms/{id}/), if any: then it is answered there.
  std::optional<std::string> homedRoomOf(const Request& request);
  void relayRequest(RelayTarget home);
  // Answers a request that cannot be handled further, then closes.
  void refuse(unsigned status, std::string_view message);
  void write(Response response);
  // A recording's file, streamed: each part written under its own deadline, so a slow
  // client downloads at its pace and a stalled one is let go.
  void writeFile(FileDownload download);
  struct FileWrite;
  void writeFilePart(std::shared_ptr<FileWrite> write, bool close);
  void upgrade();
  void acceptWebSocket(const std::string& roomId, signaling::ConnectionInfo connection);
  void relayWebSocket(RelayTarget home);
  // A request or upgrade relayed by another node of the cluster, with the cluster's key: the
  // client is the one that node names. False when the key is not the cluster's.
  bool takeRelayedClient(const Request& request);
  void closeGracefully();
  void drain();
  // The client closed or timed out: end without a word.
  void endQuietly();
  boost::asio::ip::tcp::socket& socket() { return boost::beast::get_lowest_layer(stream_).socket(); }

  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  HttpContext& context_;
  std::unique_ptr<ConnectionLimiter::Ticket> ticket_;
  boost::asio::ip::address peer_;
  ClientInfo client_;
  bool relayedIn_ = false;  // relayed here by another node of the cluster
  std::array<char, 4096> discard_{};
  std::size_t drained_ = 0;
};

using HttpSession = BasicHttpSession<boost::beast::tcp_stream>;
using HttpsSession = BasicHttpSession<TlsStream>;

}  // namespace parley::http
