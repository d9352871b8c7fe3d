#pragma once
// The first step of a connection to a TLS port: look at its first bytes; a TLS ClientHello
// gets the handshake (within 10 s), then an HttpsSession. Anything else (plain HTTP sent to
// the HTTPS port, garbage) gets a plain-text 400 saying to use https://, and the end.
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <memory>

#include "http/HttpSession.h"

namespace parley::http {

class TlsHandshake : public std::enable_shared_from_this<TlsHandshake> {
 public:
  TlsHandshake(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
               HttpContext& context, std::unique_ptr<ConnectionLimiter::Ticket> ticket);
  void start();

 private:
  void onDetected(bool isTls);
  void refusePlainText();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  HttpContext& context_;
  std::unique_ptr<ConnectionLimiter::Ticket> ticket_;
  std::unique_ptr<TlsStream> secure_;
};

}  // namespace parley::http
