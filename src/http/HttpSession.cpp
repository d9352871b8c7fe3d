#include "http/HttpSession.h"

#include "http/RangedFile.h"

#include <spdlog/spdlog.h>

#include <boost/beast/websocket.hpp>

#include "common/Metrics.h"
#include "http/HttpRelay.h"
#include "http/RelayConnect.h"
#include "http/RoomPlacement.h"
#include "http/WebSocketRelay.h"
#include "http/WebSocketSession.h"
#include "signaling/Validation.h"
#include "store/Database.h"

namespace parley::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
// After refusing a request, what we read and drop before closing, at most.
constexpr std::size_t kMaxDrainBytes = 1024 * 1024;
constexpr auto kDrainTime = std::chrono::seconds(2);

// The device cookie the pages set: names a browser, so a moderator's removal holds.
std::string deviceOf(const Request& request) {
  const std::string_view cookies = request[bhttp::field::cookie];
  constexpr std::string_view kName = "parley_device=";
  for (std::size_t at = cookies.find(kName); at != std::string_view::npos; at = cookies.find(kName, at + 1)) {
    if (at != 0 && cookies[at - 1] != ' ' && cookies[at - 1] != ';') continue;
    auto value = cookies.substr(at + kName.size());
    value = value.substr(0, value.find(';'));
    if (value.empty() || value.size() > 64) return {};
    for (char c : value) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return {};
    }
    return std::string(value);
  }
  return {};
}

// A connection that ended under us: nothing to answer.
bool ended(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset || ec == boost::asio::ssl::error::stream_truncated;
}

}  // namespace

template <class Stream>
BasicHttpSession<Stream>::BasicHttpSession(Stream stream, HttpContext& context,
                                           std::unique_ptr<ConnectionLimiter::Ticket> ticket)
    : stream_(std::move(stream)), context_(context), ticket_(std::move(ticket)) {
  beast::error_code ec;
  const auto remote = socket().remote_endpoint(ec);
  if (!ec) peer_ = remote.address();
  client_.address = peer_;
}

template <class Stream>
void BasicHttpSession<Stream>::start() { readNext(); }

template <class Stream>
void BasicHttpSession<Stream>::readNext() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBodyBytes);
  parser_->header_limit(kMaxHeaderBytes);
  beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
}

template <class Stream>
void BasicHttpSession<Stream>::onHeader(beast::error_code ec) {
  if (ended(ec)) return endQuietly();
  if (ec == bhttp::error::body_limit) return refuse(413, "the request body is larger than 64 KiB");
  if (ec == bhttp::error::header_limit) return refuse(431, "the request headers are too large");
  if (ec) return refuse(400, "the request could not be parsed");

  const Request& request = parser_->get();
  if (!transferEncodingAcceptable(request)) {
    return refuse(400, "Transfer-Encoding must be absent or exactly \"chunked\", without Content-Length");
  }
  if (!hostAllowed(context_.policy, request[bhttp::field::host])) {
    metrics().httpUnknownHost++;
    return refuse(421, "this server does not answer for that host name (see parley serve --public-url)");
  }
  client_ = clientOf(context_.policy, peer_, request);
  if constexpr (kTls) client_.https = true;
  if (request.find(kRelayKeyHeader) != request.end() && !takeRelayedClient(request)) {
    return refuse(403, "relayed request refused: not from a node of this cluster");
  }
  if (beast::websocket::is_upgrade(request)) return upgrade();
  if (parser_->is_done()) return onBody({});
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onBody(ec); });
}

template <class Stream>
void BasicHttpSession<Stream>::onBody(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) return refuse(413, "the request body is larger than 64 KiB");
  if (ended(ec) || ec == bhttp::error::partial_message) return endQuietly();
  if (ec) return refuse(400, "the request could not be parsed");
  if (context_.placement && !relayedIn_) {
    std::optional<std::string> roomId;
    try {
      roomId = homedRoomOf(parser_->get());
    } catch (const store::StoreError& e) {
      context_.rooms.writes().noteError("http", e.what());
    }
    if (roomId) {
      // As for signaling: the room's home answers (a node that is not the home has neither
      // its live meeting nor its recordings' files).
      context_.placement->place(*roomId, [self = this->shared_from_this()](Placement placed) {
        switch (placed.kind) {
          case Placement::Kind::Here:
            return self->answer();
          case Placement::Kind::Relay:
            return self->relayRequest(std::move(placed.home));
          case Placement::Kind::Unavailable: {
            const auto& request = self->parser_->get();
            return self->write(relayRefusal(503, kHomeUnreachable, request.version(), request.keep_alive()));
          }
        }
      });
      return;
    }
  }
  answer();
}

template <class Stream>
std::optional<std::string> BasicHttpSession<Stream>::homedRoomOf(const Request& request) {
  const std::string_view target = request.target();
  const auto roomApi = Router::roomApiPath(target.substr(0, target.find('?')));
  // /api/rooms/{id} itself too: who is in the meeting and whether it is being recorded (which
  // people about to join must be told) are known to the live meeting, at its home.
  if (!roomApi) return std::nullopt;
  std::string roomId(roomApi->id);
  if (!signaling::isValidRoomId(roomId) || !context_.rooms.find(roomId)) return std::nullopt;
  return roomId;
}

template <class Stream>
void BasicHttpSession<Stream>::relayRequest(RelayTarget home) {
  auto relay = std::make_shared<BasicHttpRelay<Stream>>(stream_, std::move(home), client_,
                                                        [self = this->shared_from_this()](bool keepAlive) {
                                                          if (keepAlive) return self->readNext();
                                                          self->closeGracefully();
                                                        });
  relay->start(parser_->get());
}

template <class Stream>
void BasicHttpSession<Stream>::answer() {
  Response response;
  try {
    auto self = this->shared_from_this();
    if (context_.router.handleLater(parser_->get(), client_, [self](Response later) { self->write(std::move(later)); })) {
      return;
    }
    if (auto download = context_.router.download(parser_->get(), client_)) return writeFile(std::move(*download));
    response = context_.router.handle(parser_->get(), client_);
  } catch (const store::StoreError& e) {
    // The database refused (locked by another process, full disk): this request fails.
    context_.rooms.writes().noteError("http", e.what());
    response = Router::error(503, "the server could not reach its database just now; try again",
                             parser_->get().version());
    response.set(bhttp::field::retry_after, "5");
    response.keep_alive(parser_->get().keep_alive());
  }
  write(std::move(response));
}

template <class Stream>
void BasicHttpSession<Stream>::refuse(unsigned status, std::string_view message) {
  // After a refusal the stream is out of step (or must not be read further): answer, close.
  auto response = Router::error(status, message);
  response.keep_alive(false);
  write(std::move(response));
}

template <class Stream>
void BasicHttpSession<Stream>::upgrade() {
  const Request& request = parser_->get();
  const std::string_view target = request.target();
  constexpr std::string_view kPrefix = "/ws/";
  const std::string roomId(target.substr(0, kPrefix.size()) == kPrefix ? target.substr(kPrefix.size()) : "");
  if (!originAllowed(request, client_)) return refuse(403, "cross-origin WebSocket refused");
  bool known = false;
  std::optional<store::UserSessionRecord> user;
  try {
    known = signaling::isValidRoomId(roomId) && context_.rooms.find(roomId);
    if (known) user = context_.router.signedInUser(request);
  } catch (const store::StoreError& e) {
    context_.rooms.writes().noteError("http", e.what());
    return refuse(503, "the server could not reach its database just now; try again");
  }
  if (!known) return refuse(404, "no meeting with this code");
  // Behind a trusted proxy every connection comes from the proxy: count the client it names.
  if (!ticket_) {
    ticket_ = context_.limiter.acquire(client_.key());
    if (!ticket_) return refuse(429, "too many connections from this address");
  }
  signaling::ConnectionInfo connection{deviceOf(request), client_.key(), std::nullopt};
  if (user) {
    connection.identity = signaling::Identity{user->issuer, user->subject, user->name};
  }
  // A node of a cluster serves the rooms it is home to, and relays the others' signaling to
  // their home. What a node relays here is served here, whatever this node's view says, so
  // that two nodes whose views differ for a moment never pass a client back and forth.
  if (context_.placement && !relayedIn_) {
    context_.placement->place(roomId, [self = this->shared_from_this(), roomId,
                                       connection = std::move(connection)](Placement placed) mutable {
      switch (placed.kind) {
        case Placement::Kind::Here:
          return self->acceptWebSocket(roomId, std::move(connection));
        case Placement::Kind::Relay:
          return self->relayWebSocket(std::move(placed.home));
        case Placement::Kind::Unavailable:
          return self->write(relayRefusal(503, kHomeUnreachable, self->parser_->get().version(), false));
      }
    });
    return;
  }
  acceptWebSocket(roomId, std::move(connection));
}

template <class Stream>
void BasicHttpSession<Stream>::acceptWebSocket(const std::string& roomId, signaling::ConnectionInfo connection) {
  beast::get_lowest_layer(stream_).expires_never();
  auto ws = std::make_shared<BasicWebSocketSession<Stream>>(std::move(stream_), context_.rooms, roomId,
                                                            std::move(connection), std::move(ticket_));
  context_.onWebSocket(ws);
  ws->start(parser_->release());
}

template <class Stream>
void BasicHttpSession<Stream>::relayWebSocket(RelayTarget home) {
  auto relay = std::make_shared<BasicWebSocketRelay<Stream>>(std::move(stream_), std::move(home), client_,
                                                             std::move(ticket_));
  context_.onWebSocket(relay);
  relay->start(parser_->release());
}

template <class Stream>
bool BasicHttpSession<Stream>::takeRelayedClient(const Request& request) {
  if (!context_.placement || !context_.placement->isRelayKey(request[kRelayKeyHeader])) {
    return false;
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(request[kRelayClientHeader]), ec);
  if (ec) return false;
  client_.address = address;
  client_.https = request[kRelayHttpsHeader] == "1";
  relayedIn_ = true;
  return true;
}

template <class Stream>
void BasicHttpSession<Stream>::write(Response response) {
  if constexpr (kTls) response.set(bhttp::field::strict_transport_security, kHsts);
  // A response that waited (sign-in waits for the identity provider) gets its own time to leave.
  beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
  const bool close = response.need_eof();
  auto shared = std::make_shared<Response>(std::move(response));
  bhttp::async_write(stream_, *shared, [self = this->shared_from_this(), shared, close](beast::error_code ec, std::size_t) {
    if (ec) return;
    if (close) return self->closeGracefully();
    self->readNext();
  });
}

using FileBody = bhttp::basic_file_body<RangedFile>;

// The response and its serializer, kept together while the file goes out. The serializer
// reads the body's size when it is made: it is made once the response is complete.
template <class Stream>
struct BasicHttpSession<Stream>::FileWrite {
  bhttp::response<FileBody> response;
  std::optional<bhttp::response_serializer<FileBody>> serializer;
};

template <class Stream>
void BasicHttpSession<Stream>::writeFile(FileDownload download) {
  if constexpr (kTls) download.head.set(bhttp::field::strict_transport_security, kHsts);
  auto write = std::make_shared<FileWrite>();
  beast::error_code ec;
  RangedFile part;
  part.openPart(download.path, download.offset, download.length, ec);
  if (!ec) write->response.body().reset(std::move(part), ec);
  if (ec) return this->write(Router::error(500, "the file could not be read", download.head.version()));
  write->response.base() = download.head.base();
  write->response.content_length(download.length);
  const bool close = write->response.need_eof();
  write->serializer.emplace(write->response);
  writeFilePart(std::move(write), close);
}

template <class Stream>
void BasicHttpSession<Stream>::writeFilePart(std::shared_ptr<FileWrite> write, bool close) {
  beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
  auto& serializer = *write->serializer;
  bhttp::async_write_some(stream_, serializer,
                          [self = this->shared_from_this(), write = std::move(write), close](beast::error_code ec,
                                                                                            std::size_t) mutable {
                            if (ec) return;
                            if (!write->serializer->is_done()) return self->writeFilePart(std::move(write), close);
                            if (close) return self->closeGracefully();
                            self->readNext();
                          });
}

template <class Stream>
void BasicHttpSession<Stream>::closeGracefully() {
  beast::get_lowest_layer(stream_).expires_after(kDrainTime);
  if constexpr (kTls) {
    // TLS says goodbye with close_notify (and reads the client's), which also drains.
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
      beast::error_code ignored;
      self->socket().close(ignored);
    });
  } else {
    beast::error_code ignored;
    socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    drain();
  }
}

template <class Stream>
void BasicHttpSession<Stream>::endQuietly() {
  beast::error_code ignored;
  socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

template <class Stream>
void BasicHttpSession<Stream>::drain() {
  // Closing with unread data makes the kernel send a reset, which can reach the client
  // before our answer does. Read (and drop) what it still sends, briefly and boundedly.
  stream_.async_read_some(boost::asio::buffer(discard_), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
    self->drained_ += n;
    if (ec || self->drained_ > kMaxDrainBytes) {
      beast::error_code ignored;
      self->socket().close(ignored);
      return;
    }
    self->drain();
  });
}

template class BasicHttpSession<beast::tcp_stream>;
template class BasicHttpSession<TlsStream>;

}  // namespace parley::http
