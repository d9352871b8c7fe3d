#include "http/WebSocketRelay.h"

#include <spdlog/spdlog.h>

#include "common/Metrics.h"
#include "http/RelayConnect.h"

namespace parley::http {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace bhttp = beast::http;

namespace {
// As for a direct client (WebSocketSession): a frame past this ends the connection.
constexpr std::size_t kHardFrameLimit = 1024 * 1024;
// Sent to the home when this node stops: its clients come back through another node, as
// the same participants.
constexpr std::uint16_t kReconnecting = 4000;

// Idle detection on both sides, as WebSocketSession has it: a dead peer is noticed within
// 8 to 12 s, so that the home learns of a dead client as soon as it would directly.
websocket::stream_base::timeout relayTimeouts() {
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = std::chrono::seconds(8);
  timeouts.keep_alive_pings = true;
  return timeouts;
}
}  // namespace

template <class Stream>
BasicWebSocketRelay<Stream>::BasicWebSocketRelay(Stream client, RelayTarget home, ClientInfo who,
                                                 std::unique_ptr<ConnectionLimiter::Ticket> ticket)
    : client_(std::move(client)),
      home_(client_.get_executor()),
      target_(std::move(home)),
      who_(std::move(who)),
      ticket_(std::move(ticket)) {
  metrics().signalingRelayed++;
}

template <class Stream>
BasicWebSocketRelay<Stream>::~BasicWebSocketRelay() { metrics().signalingRelayed--; }

template <class Stream>
void BasicWebSocketRelay<Stream>::start(Upgrade upgrade) {
  upgrade_.emplace(std::move(upgrade));
  connectToHome(beast::get_lowest_layer(home_), target_, "signaling relay",
                [self = this->shared_from_this()](const beast::error_code& ec) { self->onUpstreamConnected(ec); });
}

template <class Stream>
void BasicWebSocketRelay<Stream>::onUpstreamConnected(const beast::error_code& ec) {
  if (ec) return refuseClient(503, kHomeUnreachable);
  beast::get_lowest_layer(home_).expires_never();
  home_.set_option(relayTimeouts());
  home_.read_message_max(kHardFrameLimit);
  // What the home needs of the client's request: its cookies (device and sign-in session,
  // looked up in the shared store), its origin (checked there as for a direct client), and
  // the client's address and scheme with the key that makes the home believe them.
  const Upgrade& request = *upgrade_;
  home_.set_option(websocket::stream_base::decorator(
      [cookie = std::string(request[bhttp::field::cookie]), origin = std::string(request[bhttp::field::origin]),
       agent = std::string(request[bhttp::field::user_agent]), key = target_.key, client = who_.key(),
       https = who_.https](websocket::request_type& out) {
        if (!cookie.empty()) out.set(bhttp::field::cookie, cookie);
        if (!origin.empty()) out.set(bhttp::field::origin, origin);
        if (!agent.empty()) out.set(bhttp::field::user_agent, agent);
        out.set(kRelayKeyHeader, key);
        out.set(kRelayClientHeader, client);
        out.set(kRelayHttpsHeader, https ? "1" : "0");
      }));
  auto response = std::make_shared<websocket::response_type>();
  home_.async_handshake(*response, request[bhttp::field::host], request.target(),
                        [self = this->shared_from_this(), response](beast::error_code ec) {
                          if (!ec) return self->onUpstreamHandshake(ec);
                          // The home refused (the meeting is full, the address has too many
                          // connections...): the client gets its answer, not ours.
                          const unsigned status = response->result_int();
                          if (status >= 400 && status < 500) {
                            return self->refuseClient(status, "refused by this meeting's node");
                          }
                          self->onUpstreamHandshake(ec);
                        });
}

template <class Stream>
void BasicWebSocketRelay<Stream>::onUpstreamHandshake(const beast::error_code& ec) {
  if (ec) {
    spdlog::warn("signaling relay: node {} refused the connection: {}", target_.nodeId, ec.message());
    return refuseClient(503, kHomeUnreachable);
  }
  beast::get_lowest_layer(client_).expires_never();
  client_.set_option(relayTimeouts());
  client_.read_message_max(kHardFrameLimit);
  client_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(bhttp::field::server, "Parley"); }));
  client_.async_accept(*upgrade_, [self = this->shared_from_this()](beast::error_code ec) {
    self->upgrade_.reset();
    if (ec || self->ended_) {
      // The client went away before its upgrade: the home never saw a participant.
      self->closeSide(self->home_, self->toHome_, self->homeCloseStarted_, websocket::close_code::normal);
      return;
    }
    self->relaying_ = true;
    self->pass(self->client_, self->home_, self->toHome_, self->homeCloseStarted_, true);
    self->pass(self->home_, self->client_, self->toClient_, self->clientCloseStarted_, false);
  });
}

template <class Stream>
void BasicWebSocketRelay<Stream>::refuseClient(unsigned status, std::string_view message) {
  ended_ = true;
  beast::error_code ignored;
  beast::get_lowest_layer(home_).socket().close(ignored);
  auto response = std::make_shared<Response>(relayRefusal(status, message, upgrade_ ? upgrade_->version() : 11, false));
  auto& stream = client_.next_layer();
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  bhttp::async_write(stream, *response, [self = this->shared_from_this(), response](beast::error_code, std::size_t) {
    beast::error_code ignored;
    beast::get_lowest_layer(self->client_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(self->client_).close();
  });
}

template <class Stream>
template <class From, class To>
void BasicWebSocketRelay<Stream>::pass(From& from, To& to, Leg& leg, bool& toCloseStarted, bool fromClient) {
  // The references are to members of this relay, which `self` keeps alive.
  from.async_read(leg.buffer, [self = this->shared_from_this(), &from, &to, &leg, &toCloseStarted,
                               fromClient](beast::error_code ec, std::size_t) {
    if (ec) return fromClient ? self->clientEnded(ec) : self->homeEnded(ec);
    if (toCloseStarted) return;  // the other side is closing: nothing more goes there
    leg.writing = true;
    to.text(from.got_text());
    to.async_write(leg.buffer.data(), [self, &from, &to, &leg, &toCloseStarted, fromClient](beast::error_code ec,
                                                                                          std::size_t) {
      leg.writing = false;
      leg.buffer.consume(leg.buffer.size());
      if (leg.closeAfterWrite) {
        leg.closeAfterWrite = false;
        return self->closeSide(to, leg, toCloseStarted, leg.closeReason);
      }
      // A failed write: the other side's own read ends too, and says how.
      if (!ec) self->pass(from, to, leg, toCloseStarted, fromClient);
    });
  });
}

template <class Stream>
void BasicWebSocketRelay<Stream>::clientEnded(const beast::error_code& ec) {
  if (ec == websocket::error::closed) {
    // A close frame: the same goodbye (or 4000, "I will be back") goes to the home. Beast
    // ends each side's close handshake and connection; the relay goes with its last operation.
    if (home_.is_open()) closeSide(home_, toHome_, homeCloseStarted_, client_.reason());
    return;
  }
  // Broken, too big, or timed out: the home sees a broken connection, as it would from the
  // client itself (the participant may come back).
  if (home_.is_open() && !homeCloseStarted_) dropBoth();
}

template <class Stream>
void BasicWebSocketRelay<Stream>::homeEnded(const beast::error_code& ec) {
  if (!client_.is_open() || clientCloseStarted_) return;  // the client's side ends by itself
  if (ec == websocket::error::closed) return closeSide(client_, toClient_, clientCloseStarted_, home_.reason());
  // The home is gone (a dead node): the client is told to go elsewhere, and reconnects.
  spdlog::info("signaling relay: lost node {} ({})", target_.nodeId, ec.message());
  closeSide(client_, toClient_, clientCloseStarted_, websocket::close_code::going_away);
}

template <class Stream>
template <class To>
void BasicWebSocketRelay<Stream>::closeSide(To& to, Leg& leg, bool& closeStarted, websocket::close_reason reason) {
  if (closeStarted) return;
  if (leg.writing) {
    leg.closeAfterWrite = true;
    leg.closeReason = reason;
    return;
  }
  closeStarted = true;
  to.async_close(reason, [self = this->shared_from_this()](beast::error_code ec) {
    // Either way the other side's read ends (its close answered, or the connection gone);
    // a close that failed leaves nothing to wait for.
      if (ec) self->dropBoth();
  });
}

template <class Stream>
void BasicWebSocketRelay<Stream>::dropBoth() {
  ended_ = true;
  beast::error_code ignored;
  beast::get_lowest_layer(home_).socket().close(ignored);
  beast::get_lowest_layer(client_).socket().close(ignored);
}

template <class Stream>
void BasicWebSocketRelay<Stream>::shutdown() {
  if (!relaying_) return dropBoth();
  closeSide(client_, toClient_, clientCloseStarted_, websocket::close_code::going_away);
  closeSide(home_, toHome_, homeCloseStarted_, websocket::close_reason(static_cast<websocket::close_code>(kReconnecting), "relay stopping"));
}

template <class Stream>
void BasicWebSocketRelay<Stream>::abort() { dropBoth(); }

template class BasicWebSocketRelay<beast::tcp_stream>;
template class BasicWebSocketRelay<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace parley::http
