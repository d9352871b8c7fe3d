#pragma once
// An identity provider's signing keys, from its JWKS document (RFC 7517): the RSA keys
// (RS256) and P-256 keys (ES256) it signs ID tokens with, by key id. Everything else in the
// document (encryption keys, other curves, symmetric keys) is skipped, never trusted.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace parley::auth {

enum class KeyType { Rsa, EcP256 };

struct JsonWebKey {
  std::string kid;  // may be empty: a provider with one key need not name it
  std::string alg;  // as the document says; empty when it does not
  KeyType type = KeyType::Rsa;
  std::shared_ptr<EVP_PKEY> key;  // the public key, ready for EVP_DigestVerify
};

class JsonWebKeySet {
 public:
  static constexpr std::size_t kMaxDocumentBytes = 64 * 1024;
  static constexpr std::size_t kMaxKeys = 32;

  // The usable signing keys of a JWKS document, or why it is not one.
  static std::variant<JsonWebKeySet, std::string> parse(std::string_view json);

  // The key named `kid`; with an empty `kid`, the only key of `type` if there is one.
  const JsonWebKey* find(const std::string& kid, KeyType type) const;
  const std::vector<JsonWebKey>& keys() const { return keys_; }

 private:
  std::vector<JsonWebKey> keys_;
};

}  // namespace parley::auth
