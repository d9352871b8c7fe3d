#include "cascade/CascadeKeys.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace parley::cascade {

std::string linkEnd(std::string_view nodeId, unsigned worker) {
  return std::string(nodeId) + "/" + std::to_string(worker);
}

CascadeKeys deriveCascadeKeys(std::string_view secret, std::string_view from, std::string_view to) {
  if (secret.empty()) throw std::invalid_argument("the cascade needs the cluster's secret");
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr), EVP_KDF_free);
  if (!kdf) throw std::runtime_error("OpenSSL has no HKDF");
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()), EVP_KDF_CTX_free);
  if (!ctx) throw std::runtime_error("HKDF context");
  // The direction is the info: "from>to" cannot be read as another pair, as ends hold no '>'.
  std::string info = "parley cascade srtp v1 ";
  info.append(from).append(">").append(to);
  static const char kSalt[] = "parley-cascade";
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(kSalt), sizeof kSalt - 1),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end()};
  std::array<std::uint8_t, 28> out{};
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) throw std::runtime_error("HKDF failed");
  CascadeKeys keys;
  std::copy(out.begin(), out.begin() + 16, keys.key.begin());
  std::copy(out.begin() + 16, out.end(), keys.salt.begin());
  return keys;
}

}  // namespace parley::cascade
