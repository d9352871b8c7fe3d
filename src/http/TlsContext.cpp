#include "http/TlsContext.h"

#include <openssl/ssl.h>

#include <stdexcept>

namespace parley::http {

namespace {
// TLS 1.2's forward-secret AEAD suites (TLS 1.3's are OpenSSL's defaults, all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
}  // namespace

TlsContext::TlsContext(std::string certFile, std::string keyFile)
    : certFile_(std::move(certFile)), keyFile_(std::move(keyFile)), current_(load()) {}

std::shared_ptr<boost::asio::ssl::context> TlsContext::load() const {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cipher_list(native, kTls12Ciphers);
  boost::system::error_code ec;
  context->use_certificate_chain_file(certFile_, ec);
  if (ec) throw std::runtime_error("cannot use the TLS certificate " + certFile_ + ": " + ec.message());
  context->use_private_key_file(keyFile_, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot use the TLS key " + keyFile_ + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("the TLS key " + keyFile_ + " does not belong to the certificate " + certFile_);
  }
  return context;
}

std::optional<std::string> TlsContext::reload() {
  try {
    current_ = load();
    return std::nullopt;
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace parley::http
