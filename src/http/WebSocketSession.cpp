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
// After refusing a frame as too big, what we read and drop before closing, at most.
constexpr std::size_t kMaxDrainBytes = 16 * 1024 * 1024;
}  // namespace

WebSocketSession::WebSocketSession(boost::asio::ip::tcp::socket socket, signaling::RoomRegistry& rooms,
                                   std::string roomId, std::string device,
                                   std::unique_ptr<ConnectionLimiter::Ticket> ticket)
    : ws_(std::move(socket)),
      session_(rooms, std::move(roomId), *this, std::move(device)),
      ticket_(std::move(ticket)),
      joinDeadline_(ws_.get_executor()) {
  metrics().websocketConnections++;
}

WebSocketSession::~WebSocketSession() { metrics().websocketConnections--; }

void WebSocketSession::start(beast::http::request<beast::http::string_body> upgrade) {
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);
  // Beast checks every idle_timeout/2: silent for one check, it pings; still silent at the
  // next, the peer is gone. A dead participant thus leaves the list 8 to 12 s after its
  // last byte, under the 15 s the protocol promises; live browsers answer pings at once.
  timeouts.idle_timeout = std::chrono::seconds(8);
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(kHardFrameLimit);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(beast::http::field::server, "Parley"); }));
  ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
    if (ec) return self->finish("disconnected");
    self->armJoinDeadline();
    self->readNext();
  });
}

void WebSocketSession::armJoinDeadline() {
  joinDeadline_.expires_after(kJoinDeadline);
  joinDeadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->session_.joined() || self->closing_ || self->closed_) return;
    metrics().websocketJoinTimeouts++;
    self->send(signaling::errorFrame({signaling::ErrorCode::NotJoined, "no join within 10 seconds"}));
    self->closeWith(websocket::close_code::policy_error);
  });
}

void WebSocketSession::readNext() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
    self->onRead(ec, bytes);
  });
}

void WebSocketSession::onRead(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      // Beast has sent the close frame (1009). The client is likely still sending the
      // oversized frame: read and drop it, or closing now would reset the connection and
      // the client would see 1006 instead of why.
      metrics().signalingErrorTooLarge++;
      finish("disconnected");
      return drainThenClose();
    }
    return finish(ec == beast::error::timeout ? "timeout" : "disconnected");
  }
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

void WebSocketSession::drainThenClose() {
  auto& socket = beast::get_lowest_layer(ws_).socket();
  if (!socket.is_open()) return;
  if (drained_ == 0) {
    joinDeadline_.expires_after(std::chrono::seconds(2));  // reused: no more joining here
    joinDeadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) {
        boost::system::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
      }
    });
  }
  socket.async_read_some(boost::asio::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->drained_ += n;
    if (ec || self->drained_ > kMaxDrainBytes) {
      boost::system::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
      self->joinDeadline_.cancel();
      return;
    }
    self->drainThenClose();
  });
}

void WebSocketSession::send(std::string frame) {
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

void WebSocketSession::writeNext() {
  if (outbox_.empty()) {
    writing_ = false;
    if (closing_ && !closed_) {
      closed_ = true;
      ws_.async_close(closeCode_, [self = shared_from_this()](beast::error_code) {});
    }
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(outbox_.front()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    if (ec) {
                      self->outbox_.clear();
                      self->writing_ = false;
                      return;
                    }
                    self->outbox_.pop_front();
                    self->writeNext();
                  });
}

void WebSocketSession::close() { closeWith(websocket::close_code::normal); }

void WebSocketSession::closeWith(websocket::close_code code) {
  if (closing_) return;
  closing_ = true;
  closeCode_ = code;
  if (!writing_) writeNext();
}

void WebSocketSession::shutdown() {
  if (closed_) return;
  outbox_.clear();
  closing_ = closed_ = true;
  if (writing_) {
    beast::get_lowest_layer(ws_).socket().close();
    return;
  }
  ws_.async_close(websocket::close_code::going_away, [self = shared_from_this()](beast::error_code) {});
}

void WebSocketSession::finish(std::string_view reason) {
  if (finished_) return;
  finished_ = true;
  closed_ = true;
  joinDeadline_.cancel();
  session_.onClosed(reason, unixMillisNow());
}

}  // namespace parley::http
