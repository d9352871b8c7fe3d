#include "auth/IdToken.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "auth/Base64Url.h"
#include "common/Text.h"

namespace parley::auth {

namespace {

IdTokenRejection reject(IdTokenError error, std::string detail = {}) { return {error, std::move(detail)}; }

// JWS ES256 signatures are R || S, 32 bytes each (RFC 7518 3.4); OpenSSL verifies DER.
std::string derOfRawEcdsa(const std::string& raw) {
  if (raw.size() != 64) return {};
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  std::string der;
  if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* out = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &out);
    if (length > 0) der.assign(reinterpret_cast<char*>(out), static_cast<std::size_t>(length));
    OPENSSL_free(out);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

bool verifySignature(const JsonWebKey& key, std::string_view signingInput, const std::string& signature) {
  const std::string der = key.type == KeyType::EcP256 ? derOfRawEcdsa(signature) : signature;
  if (der.empty()) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool valid = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key.key.get()) == 1 &&
                     EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                                      reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return valid;
}

std::optional<nlohmann::json> jsonObjectOf(std::string_view part) {
  const auto bytes = base64UrlDecode(part);
  if (!bytes) return std::nullopt;
  auto json = nlohmann::json::parse(*bytes, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

std::string stringClaim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::int64_t> timeClaim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  const double value = it->get<double>();
  if (!(value >= 0 && value < 1e12)) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

bool audienceIncludes(const nlohmann::json& claims, const std::string& clientId, std::size_t& count) {
  const auto aud = claims.find("aud");
  count = 0;
  if (aud == claims.end()) return false;
  if (aud->is_string()) return count = 1, aud->get<std::string>() == clientId;
  if (!aud->is_array()) return false;
  bool found = false;
  for (const auto& item : *aud) {
    ++count;
    found = found || (item.is_string() && item.get<std::string>() == clientId);
  }
  return found;
}

}  // namespace

const char* describe(IdTokenError error) {
  switch (error) {
    case IdTokenError::Malformed: return "the ID token is malformed";
    case IdTokenError::UnsupportedAlgorithm: return "the ID token's algorithm is not RS256 or ES256";
    case IdTokenError::UnknownKey: return "the ID token is signed with a key the provider does not publish";
    case IdTokenError::BadSignature: return "the ID token's signature is wrong";
    case IdTokenError::WrongIssuer: return "the ID token comes from another issuer";
    case IdTokenError::WrongAudience: return "the ID token is meant for another client";
    case IdTokenError::Expired: return "the ID token has expired";
    case IdTokenError::IssuedInTheFuture: return "the ID token is issued in the future";
    case IdTokenError::TooOld: return "the ID token was issued too long ago";
    case IdTokenError::WrongNonce: return "the ID token's nonce is not this sign-in's";
    case IdTokenError::MissingSubject: return "the ID token names no subject";
  }
  return "the ID token is refused";
}

std::variant<std::string, IdTokenRejection> verifiedJwsPayload(std::string_view token, const JsonWebKeySet& keys) {
  if (token.size() > kMaxIdTokenBytes) return reject(IdTokenError::Malformed, "larger than 16 KiB");
  const auto firstDot = token.find('.');
  const auto secondDot = firstDot == std::string_view::npos ? firstDot : token.find('.', firstDot + 1);
  if (secondDot == std::string_view::npos || token.find('.', secondDot + 1) != std::string_view::npos) {
    return reject(IdTokenError::Malformed, "not three parts (an encrypted token?)");
  }
  const auto header = jsonObjectOf(token.substr(0, firstDot));
  if (!header) return reject(IdTokenError::Malformed, "the header is not base64url JSON");
  const std::string alg = stringClaim(*header, "alg");
  KeyType type;
  if (alg == "RS256") type = KeyType::Rsa;
  else if (alg == "ES256") type = KeyType::EcP256;
  else return reject(IdTokenError::UnsupportedAlgorithm, "alg \"" + alg + "\"");
  if (header->contains("crit")) return reject(IdTokenError::Malformed, "critical header parameters");
  const std::string kid = stringClaim(*header, "kid");
  const JsonWebKey* key = keys.find(kid, type);
  if (!key) return reject(IdTokenError::UnknownKey, "kid \"" + kid + "\" for " + alg);
  if (!key->alg.empty() && key->alg != alg) {
    return reject(IdTokenError::UnsupportedAlgorithm, "key \"" + kid + "\" is for " + key->alg + ", not " + alg);
  }
  const auto signature = base64UrlDecode(token.substr(secondDot + 1));
  if (!signature) return reject(IdTokenError::Malformed, "the signature is not base64url");
  if (!verifySignature(*key, token.substr(0, secondDot), *signature)) return reject(IdTokenError::BadSignature);
  auto payload = base64UrlDecode(token.substr(firstDot + 1, secondDot - firstDot - 1));
  if (!payload) return reject(IdTokenError::Malformed, "the payload is not base64url");
  return std::move(*payload);
}

std::variant<IdTokenClaims, IdTokenRejection> validateIdToken(std::string_view token, const JsonWebKeySet& keys,
                                                              const IdTokenExpectations& expected) {
  auto verified = verifiedJwsPayload(token, keys);
  if (auto* rejection = std::get_if<IdTokenRejection>(&verified)) return std::move(*rejection);
  // Signed by the provider: now what it says.
  auto parsed = nlohmann::json::parse(std::get<std::string>(verified), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return reject(IdTokenError::Malformed, "the payload is not JSON");
  const std::optional<nlohmann::json> claims = std::move(parsed);
  IdTokenClaims out;
  out.issuer = stringClaim(*claims, "iss");
  if (out.issuer != expected.issuer) {
    return reject(IdTokenError::WrongIssuer, "iss \"" + out.issuer + "\", expected \"" + expected.issuer + "\"");
  }
  std::size_t audiences = 0;
  if (!audienceIncludes(*claims, expected.clientId, audiences)) return reject(IdTokenError::WrongAudience);
  if (audiences > 1 && stringClaim(*claims, "azp") != expected.clientId) {
    return reject(IdTokenError::WrongAudience, "several audiences and azp is not ours");
  }
  const auto exp = timeClaim(*claims, "exp"), iat = timeClaim(*claims, "iat");
  if (!exp || !iat) return reject(IdTokenError::Malformed, "exp or iat missing");
  if (*exp + expected.leewaySeconds <= expected.nowSeconds) return reject(IdTokenError::Expired);
  if (*iat > expected.nowSeconds + expected.leewaySeconds) return reject(IdTokenError::IssuedInTheFuture);
  if (*iat + expected.maxAgeSeconds + expected.leewaySeconds < expected.nowSeconds) return reject(IdTokenError::TooOld);
  if (expected.nonce.empty() || !constantTimeEquals(stringClaim(*claims, "nonce"), expected.nonce)) {
    return reject(IdTokenError::WrongNonce);
  }
  out.subject = stringClaim(*claims, "sub");
  if (out.subject.empty() || out.subject.size() > 255) return reject(IdTokenError::MissingSubject);
  out.name = stringClaim(*claims, "name");
  out.givenName = stringClaim(*claims, "given_name");
  out.usualName = stringClaim(*claims, "usual_name");
  out.familyName = stringClaim(*claims, "family_name");
  out.email = stringClaim(*claims, "email");
  out.acr = stringClaim(*claims, "acr");
  out.expiresAt = *exp;
  out.issuedAt = *iat;
  return out;
}

}  // namespace parley::auth
