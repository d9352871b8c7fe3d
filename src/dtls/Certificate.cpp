#include "dtls/Certificate.h"

#include <atomic>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace parley::dtls {

std::string sha256Fingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    if (i) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

std::shared_ptr<Certificate> Certificate::generate() {
  static std::atomic<std::uint64_t> nextId{1};
  std::shared_ptr<Certificate> c(new Certificate());
  c->id_ = nextId.fetch_add(1);
  c->key_ = EVP_EC_gen("P-256");
  c->cert_ = X509_new();
  if (!c->key_ || !c->cert_) throw std::runtime_error("cannot create the DTLS certificate");
  X509_set_version(c->cert_, 2);
  std::uint64_t serial = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(c->cert_), serial >> 1);
  // Valid from a day ago (clock skew) for 30 days; browsers check only the fingerprint.
  X509_gmtime_adj(X509_getm_notBefore(c->cert_), -86400);
  X509_gmtime_adj(X509_getm_notAfter(c->cert_), 30L * 86400);
  X509_NAME* name = X509_get_subject_name(c->cert_);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("parley"), -1, -1, 0);
  X509_set_issuer_name(c->cert_, name);
  X509_set_pubkey(c->cert_, c->key_);
  if (X509_sign(c->cert_, c->key_, EVP_sha256()) == 0) throw std::runtime_error("cannot sign the DTLS certificate");
  c->fingerprint_ = sha256Fingerprint(c->cert_);
  return c;
}

Certificate::~Certificate() {
  X509_free(cert_);
  EVP_PKEY_free(key_);
}

}  // namespace parley::dtls
