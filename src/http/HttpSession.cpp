#include "http/HttpSession.h"

#include <boost/beast/websocket.hpp>

#include "http/WebSocketSession.h"
#include "signaling/Validation.h"

namespace parley::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;

// Browsers send Origin on WebSocket upgrades; refusing foreign origins stops other sites
// from joining meetings with a visitor's browser. Clients without Origin (tools) pass.
bool sameOrigin(const Request& request) {
  const auto origin = request[bhttp::field::origin];
  if (origin.empty()) return true;
  const auto host = request[bhttp::field::host];
  const auto schemeEnd = origin.find("://");
  return schemeEnd != std::string_view::npos && origin.substr(schemeEnd + 3) == host;
}
}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, HttpContext& context)
    : stream_(std::move(socket)), context_(context) {
  beast::error_code ec;
  const auto remote = stream_.socket().remote_endpoint(ec);
  clientAddress_ = ec ? "unknown" : remote.address().to_string();
}

void HttpSession::start() { readNext(); }

void HttpSession::readNext() {
  parser_.emplace();
  parser_->body_limit(kMaxRequestBodyBytes);
  parser_->header_limit(kMaxHeaderBytes);
  stream_.expires_after(kRequestTimeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
}

void HttpSession::onRead(beast::error_code ec) {
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == boost::asio::error::eof ||
      ec == boost::asio::error::connection_reset) {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return;
  }
  // After a parse error the stream is out of step: answer, then close.
  const auto fail = [this](unsigned status, std::string_view message) {
    auto response = Router::error(status, message);
    response.keep_alive(false);
    write(std::move(response));
  };
  if (ec == bhttp::error::body_limit) return fail(413, "the request body is larger than 64 KiB");
  if (ec == bhttp::error::header_limit) return fail(431, "the request headers are too large");
  if (ec) return fail(400, "the request could not be parsed");

  if (beast::websocket::is_upgrade(parser_->get())) return upgrade();
  write(context_.router.handle(parser_->get(), clientAddress_));
}

void HttpSession::upgrade() {
  const Request& request = parser_->get();
  const std::string_view target = request.target();
  constexpr std::string_view kPrefix = "/ws/";
  const std::string roomId(target.substr(0, kPrefix.size()) == kPrefix ? target.substr(kPrefix.size()) : "");
  if (!signaling::isValidRoomId(roomId) || !context_.rooms.find(roomId)) {
    return write(Router::error(404, "no meeting with this code"));
  }
  if (!sameOrigin(request)) {
    return write(Router::error(403, "cross-origin WebSocket refused"));
  }
  stream_.expires_never();
  auto ws = std::make_shared<WebSocketSession>(stream_.release_socket(), context_.rooms, roomId);
  context_.onWebSocket(ws);
  ws->start(parser_->release());
}

void HttpSession::write(Response response) {
  const bool close = response.need_eof();
  auto shared = std::make_shared<Response>(std::move(response));
  bhttp::async_write(stream_, *shared,
                     [self = shared_from_this(), shared, close](beast::error_code ec, std::size_t) {
                       if (ec || close) {
                         beast::error_code ignored;
                         self->stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
                         return;
                       }
                       self->readNext();
                     });
}

}  // namespace parley::http
