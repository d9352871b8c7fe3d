#include "auth/JsonWebKeys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>

#include "auth/Base64Url.h"

namespace parley::auth {

namespace {

using Key = std::shared_ptr<EVP_PKEY>;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using Bignum = std::unique_ptr<BIGNUM, BnFree>;

Key fromParams(const char* type, OSSL_PARAM_BLD* build) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  const bool made = params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
                    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!made) return nullptr;
  Key owned(key, EVP_PKEY_free);
  // A point off the curve (or a broken modulus) is no key.
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  const bool valid = check && EVP_PKEY_public_check(check) == 1;
  EVP_PKEY_CTX_free(check);
  return valid ? owned : nullptr;
}

std::optional<std::string> member(const nlohmann::json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Key rsaKey(const nlohmann::json& jwk) {
  const auto n = member(jwk, "n"), e = member(jwk, "e");
  if (!n || !e) return nullptr;
  const auto modulus = base64UrlDecode(*n), exponent = base64UrlDecode(*e);
  if (!modulus || !exponent || exponent->empty() || exponent->size() > 8) return nullptr;
  Bignum bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(modulus->data()), static_cast<int>(modulus->size()), nullptr));
  Bignum be(BN_bin2bn(reinterpret_cast<const unsigned char*>(exponent->data()), static_cast<int>(exponent->size()), nullptr));
  // 2048 bits at least (RFC 7518 3.3), and a bound on the work a verification costs.
  if (!bn || !be || BN_num_bits(bn.get()) < 2048 || BN_num_bits(bn.get()) > 8192) return nullptr;
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  Key key;
  if (build && OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, be.get()) == 1) {
    key = fromParams("RSA", build);
  }
  OSSL_PARAM_BLD_free(build);
  return key;
}

Key ecP256Key(const nlohmann::json& jwk) {
  if (member(jwk, "crv") != "P-256") return nullptr;
  const auto xText = member(jwk, "x"), yText = member(jwk, "y");
  if (!xText || !yText) return nullptr;
  const auto x = base64UrlDecode(*xText), y = base64UrlDecode(*yText);
  if (!x || !y || x->size() != 32 || y->size() != 32) return nullptr;
  std::string point = "\x04" + *x + *y;  // uncompressed
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  Key key;
  if (build && OSSL_PARAM_BLD_push_utf8_string(build, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(build, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1) {
    key = fromParams("EC", build);
  }
  OSSL_PARAM_BLD_free(build);
  return key;
}

}  // namespace

std::variant<JsonWebKeySet, std::string> JsonWebKeySet::parse(std::string_view json) {
  if (json.size() > kMaxDocumentBytes) return std::string("the key set is larger than 64 KiB");
  const auto document = nlohmann::json::parse(json, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return std::string("the key set is not a JSON object");
  const auto keys = document.find("keys");
  if (keys == document.end() || !keys->is_array()) return std::string("the key set has no \"keys\" array");
  JsonWebKeySet set;
  for (const auto& jwk : *keys) {
    if (set.keys_.size() == kMaxKeys) break;
    if (!jwk.is_object()) continue;
    const auto use = member(jwk, "use");
    if (use && *use != "sig") continue;
    const auto kty = member(jwk, "kty");
    JsonWebKey key;
    key.kid = member(jwk, "kid").value_or("");
    key.alg = member(jwk, "alg").value_or("");
    if (kty == "RSA") {
      key.type = KeyType::Rsa;
      key.key = rsaKey(jwk);
    } else if (kty == "EC") {
      key.type = KeyType::EcP256;
      key.key = ecP256Key(jwk);
    }
    if (key.key) set.keys_.push_back(std::move(key));
  }
  if (set.keys_.empty()) return std::string("the key set has no RSA or P-256 signing key");
  return set;
}

const JsonWebKey* JsonWebKeySet::find(const std::string& kid, KeyType type) const {
  const JsonWebKey* only = nullptr;
  std::size_t ofType = 0;
  for (const auto& key : keys_) {
    if (key.type != type) continue;
    if (!kid.empty() && key.kid == kid) return &key;
    ++ofType;
    only = &key;
  }
  return kid.empty() && ofType == 1 ? only : nullptr;
}

}  // namespace parley::auth
