#include "http/WebSocketSession.h"

#include <spdlog/spdlog.h>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "signaling/Protocol.h"

namespace parley::http {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
// Frames above the protocol's limits get an error and the connection stays; far larger ones
// end it with 1009 (message too big).
constexpr std::size_t kHardFrameLimit = 1024 * 1024;
constexpr std::size_t kMaxQueuedFrames = 1024;
// A connection that has not joined by then is closed (policy violation): an idle socket
// costs the server, and a page that meant to join has done so long before.
constexpr auto kJoinDeadline = std::chrono::seconds(10);
// A message is read in pieces of at most this much, so that its size is known before it is
// whole.
constexpr std::size_t kReadPiece = 64 * 1024;
// The close code of a client that will resume (docs/protocol.md).
constexpr std::uint16_t kReconnecting = 4000;
}  // namespace

template <class Stream>
BasicWebSocketSession<Stream>::BasicWebSocketSession(Stream stream, signaling::RoomRegistry& rooms, std::string roomId,
                                                     signaling::ConnectionInfo connection,
                                                     std::unique_ptr<ConnectionLimiter::Ticket> ticket)
    : ws_(std::move(stream)),
      session_(rooms, std::move(roomId), *this, std::move(connection)),
      ticket_(std::move(ticket)),
      joinDeadline_(ws_.get_executor()) {
  metrics().websocketConnections++;
}

template <class Stream>
BasicWebSocketSession<Stream>::~BasicWebSocketSession() { metrics().websocketConnections--; }

template <class Stream>
void BasicWebSocketSession<Stream>::start(beast::http::request<beast::http::string_body> upgrade) {
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);
  // Beast checks every idle_timeout/2: silent for one check, it pings; still silent at the
  // next, the peer is gone. A dead participant thus leaves the list 8 to 12 s after its
  // last byte, under the 15 s the protocol promises; live browsers answer pings at once.
  timeouts.idle_timeout = std::chrono::seconds(8);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  // No limit in Beast: past its limit it fails the connection and closes the socket on the
  // first bytes it reads from a client still sending, a reset that the client sees as 1006
  // instead of 1009. We count the message's bytes ourselves and close the normal way.
  ws_.read_message_max(0);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(beast::http::field::server, "Parley"); }));
  ws_.async_accept(upgrade, [self = this->shared_from_this()](beast::error_code ec) {
    if (ec) return self->finish("disconnected");
    self->armJoinDeadline();
    self->readNext();
  });
}

template <class Stream>
void BasicWebSocketSession<Stream>::armJoinDeadline() {
  joinDeadline_.expires_after(kJoinDeadline);
  joinDeadline_.async_wait([weak = this->weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->session_.joined() || self->session_.waiting() || self->closing_ || self->closed_) return;
    metrics().websocketJoinTimeouts++;
    self->send(signaling::errorFrame({signaling::ErrorCode::NotJoined, "no join within 10 seconds"}));
    self->closeWith(websocket::close_code::policy_error);
  });
}

template <class Stream>
void BasicWebSocketSession<Stream>::readNext() {
  ws_.async_read_some(buffer_, kReadPiece, [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
    self->onRead(ec, bytes);
  });
}

template <class Stream>
void BasicWebSocketSession<Stream>::onRead(beast::error_code ec, std::size_t) {
  if (ec) {
    // A close frame is a goodbye, except code 4000: the client drops the connection to come
    // back at once as the same participant (its media failed), like a broken one.
    if (ec == websocket::error::closed) return finish(ws_.reason().code == kReconnecting ? "disconnected" : "closed");
    // Broken: make sure the socket is closed, so that a client that did not notice gets a
    // reset at its next packet and reconnects, instead of talking to a connection nobody reads.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    return finish(ec == beast::error::timeout ? "timeout" : "disconnected");
  }
  if (buffer_.size() > kHardFrameLimit) return refuseTooBig();
  if (!ws_.is_message_done()) return readNext();
  const auto data = buffer_.cdata();
  const std::string_view frame(static_cast<const char*>(data.data()), data.size());
  if (!ws_.got_text()) {
    session_.onFrame("", unixMillisNow());  // binary frames are malformed for this protocol
  } else if (frame.size() > signaling::kMaxSdpMessageBytes) {
    session_.onOversizedFrame();
  } else {
    session_.onFrame(frame, unixMillisNow());
  }
  buffer_.consume(buffer_.size());
  readNext();  // also while closing: the read sees the peer's close frame and ends the session
}

template <class Stream>
void BasicWebSocketSession<Stream>::refuseTooBig() {
  metrics().signalingErrorTooLarge++;
  buffer_.clear();
  buffer_.shrink_to_fit();
  // Beast's close reads and drops the rest of the message until the client's close frame,
  // so the client learns why (1009) instead of meeting a reset. No read is started after
  // this one: the close does the reading.
  closeWith(websocket::close_code::too_big);
  finish("closed");
}

template <class Stream>
void BasicWebSocketSession<Stream>::send(std::string frame) {
  if (closing_ || closed_) return;
  if (outbox_.size() >= kMaxQueuedFrames) {
    spdlog::warn("signaling client too slow; disconnecting");
    closing_ = true;
    beast::get_lowest_layer(ws_).socket().close();
    return;
  }
  outbox_.push_back(std::move(frame));
  if (!writing_) writeNext();
}

template <class Stream>
void BasicWebSocketSession<Stream>::writeNext() {
  if (outbox_.empty()) {
    writing_ = false;
    if (closing_ && !closeStarted_) {
      closeStarted_ = true;
      ws_.async_close(closeCode_, [self = this->shared_from_this()](beast::error_code) {});
    }
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(outbox_.front()),
                  [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                    if (ec) {
                      self->outbox_.clear();
                      self->writing_ = false;
                      return;
                    }
                    self->outbox_.pop_front();
                    self->writeNext();
                  });
}

template <class Stream>
void BasicWebSocketSession<Stream>::close() { closeWith(websocket::close_code::normal); }

template <class Stream>
void BasicWebSocketSession<Stream>::closeWith(websocket::close_code code) {
  if (closing_) return;
  closing_ = true;
  closeCode_ = code;
  if (!writing_) writeNext();
}

template <class Stream>
void BasicWebSocketSession<Stream>::shutdown() {
  if (closed_ || closeStarted_) return;
  closing_ = closed_ = closeStarted_ = true;
  // No close frame behind a frame half written (which still points into the outbox: its
  // handler clears it): the participant leaves at once and the socket closes.
  if (writing_) return abort();
  outbox_.clear();
  ws_.async_close(websocket::close_code::going_away, [self = this->shared_from_this()](beast::error_code) {});
}

template <class Stream>
void BasicWebSocketSession<Stream>::abort() {
  closing_ = closed_ = closeStarted_ = true;
  // Left on purpose, as when the client answers "going away": its session ends in the store.
  finish("closed");
  beast::get_lowest_layer(ws_).close();  // pending reads, writes and the close end at once
}

template <class Stream>
void BasicWebSocketSession<Stream>::finish(std::string_view reason) {
  if (finished_) return;
  finished_ = true;
  closed_ = true;
  joinDeadline_.cancel();
  session_.onClosed(reason, unixMillisNow());
}

template class BasicWebSocketSession<beast::tcp_stream>;
template class BasicWebSocketSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace parley::http
