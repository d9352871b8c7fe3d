#pragma once
// One signaling connection: a Beast WebSocket feeding a SignalingSession. Frames are written
// one at a time from a bounded queue; a client that cannot keep up is disconnected, and so
// is one that has not joined within 10 seconds. A frame over 1 MiB closes with 1009.
// Over plain TCP (ws://) or TLS (wss://): the stream the HTTP session upgraded.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <functional>
#include <memory>

#include "http/ConnectionLimiter.h"
#include "http/OpenWebSocket.h"
#include "signaling/SignalingSession.h"

namespace parley::http {

// A signaling connection, whatever its stream. Its abort() makes the participant leave its
// room now.
class WebSocketSession : public signaling::SignalingPeer, public OpenWebSocket {};

template <class Stream>
class BasicWebSocketSession : public WebSocketSession,
                              public std::enable_shared_from_this<BasicWebSocketSession<Stream>> {
 public:
  // `connection`: the browser's device cookie, address and signed-in user; `ticket` counts
  // the connection.
  BasicWebSocketSession(Stream stream, signaling::RoomRegistry& rooms, std::string roomId,
                        signaling::ConnectionInfo connection,
                        std::unique_ptr<ConnectionLimiter::Ticket> ticket);
  ~BasicWebSocketSession() override;

  void start(boost::beast::http::request<boost::beast::http::string_body> upgrade);
  void shutdown() override;
  void abort() override;

  void send(std::string frame) override;
  void close() override;

 private:
  void readNext();
  void onRead(boost::beast::error_code ec, std::size_t bytes);
  void writeNext();
  void finish(std::string_view reason);
  void closeWith(boost::beast::websocket::close_code code);
  void armJoinDeadline();
  void refuseTooBig();

  boost::beast::websocket::stream<Stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  signaling::SignalingSession session_;
  std::unique_ptr<ConnectionLimiter::Ticket> ticket_;
  boost::asio::steady_timer joinDeadline_;
  bool writing_ = false;
  bool closing_ = false;  // close() called: no more frames queued, close after the outbox
  bool closeStarted_ = false;  // our close frame is on its way (async_close called)
  bool closed_ = false;        // the session ended or is ending: no more frames out
  bool finished_ = false;
  boost::beast::websocket::close_code closeCode_ = boost::beast::websocket::close_code::normal;
};

}  // namespace parley::http
