#pragma once
// The server's TLS certificate and settings for HTTPS and WSS: TLS 1.2 and 1.3 only, forward
// secret AEAD ciphers (Mozilla's "intermediate" profile), the PEM chain and key from files.
// reload() reads the files again (SIGHUP after a renewal): new connections get the new
// certificate, established ones keep theirs, so no call drops.
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>

namespace parley::http {

class TlsContext {
 public:
  // Loads the files; throws std::runtime_error saying what is wrong with them.
  TlsContext(std::string certFile, std::string keyFile);

  // The context for a new connection. OpenSSL counts its references: a connection made from
  // an older one keeps it alive after a reload (Parley sets no callbacks in it that would not).
  std::shared_ptr<boost::asio::ssl::context> current() const { return current_; }

  // Reads the files again; on an error keeps the certificate in use and returns why.
  std::optional<std::string> reload();

 private:
  std::shared_ptr<boost::asio::ssl::context> load() const;

  std::string certFile_;
  std::string keyFile_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace parley::http
