#include "http/TlsHandshake.h"

#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "common/Metrics.h"

namespace parley::http {

namespace beast = boost::beast;

namespace {
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr std::string_view kPlainTextRefusal =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 52\r\n"
    "Connection: close\r\n"
    "\r\n"
    "This port speaks HTTPS only: use an https:// address";
}  // namespace

TlsHandshake::TlsHandshake(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
                           HttpContext& context, std::unique_ptr<ConnectionLimiter::Ticket> ticket)
    : stream_(std::move(socket)), tls_(std::move(tls)), context_(context), ticket_(std::move(ticket)) {}

void TlsHandshake::start() {
  stream_.expires_after(kHandshakeTimeout);
  beast::async_detect_ssl(stream_, buffer_, [self = shared_from_this()](beast::error_code ec, bool isTls) {
    if (ec) return;  // closed or silent for 10 s: nothing to answer
    self->onDetected(isTls);
  });
}

void TlsHandshake::onDetected(bool isTls) {
  if (!isTls) return refusePlainText();
  secure_ = std::make_unique<TlsStream>(std::move(stream_), *tls_);
  secure_->async_handshake(boost::asio::ssl::stream_base::server, buffer_.data(),
                           [self = shared_from_this()](beast::error_code ec, std::size_t used) {
                             if (ec) {
                               metrics().tlsHandshakeFailures++;
                               return;  // the stream closes with this object
                             }
                             self->buffer_.consume(used);
                             beast::get_lowest_layer(*self->secure_).expires_never();
                             std::make_shared<HttpsSession>(std::move(*self->secure_), self->context_,
                                                            std::move(self->ticket_))
                                 ->start();
                           });
}

void TlsHandshake::refusePlainText() {
  metrics().tlsPlainTextRefused++;
  boost::asio::async_write(stream_, boost::asio::buffer(kPlainTextRefusal),
                           [self = shared_from_this()](beast::error_code, std::size_t) {
                             beast::error_code ignored;
                             self->stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
                             self->stream_.socket().close(ignored);
                           });
}

}  // namespace parley::http
