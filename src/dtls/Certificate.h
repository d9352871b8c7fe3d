#pragma once
// The server's DTLS identity: a fresh ECDSA P-256 key and self-signed certificate per
// process, and its SHA-256 fingerprint for SDP (a=fingerprint).
#include <cstdint>
#include <memory>
#include <string>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;

namespace parley::dtls {

class Certificate {
 public:
  static std::shared_ptr<Certificate> generate();
  ~Certificate();
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;

  EVP_PKEY* key() const { return key_; }
  X509* x509() const { return cert_; }
  // "AB:CD:..." uppercase hex, as in a=fingerprint:sha-256.
  const std::string& fingerprint() const { return fingerprint_; }
  // Unique in the process, never reused (unlike the object's address once it is freed):
  // what caches made from this certificate are keyed by.
  std::uint64_t id() const { return id_; }

 private:
  Certificate() = default;
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  std::string fingerprint_;
  std::uint64_t id_ = 0;
};

// SHA-256 fingerprint of any certificate, in SDP's form.
std::string sha256Fingerprint(X509* cert);

}  // namespace parley::dtls
