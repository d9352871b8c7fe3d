#pragma once
// Validation of an OpenID Connect ID token (a JWS in compact form, RFC 7515; OpenID Connect
// Core 3.1.3.7): the signature with the provider's key (RS256 or ES256 only: never "none",
// never HMAC, whose secret an attacker would take to be the public key), then the claims:
// iss, aud (and azp with several audiences), exp, iat and the nonce of this sign-in.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "auth/JsonWebKeys.h"

namespace parley::auth {

struct IdTokenExpectations {
  std::string issuer;    // exactly the discovery document's issuer
  std::string clientId;  // our client id: in aud
  std::string nonce;     // the one this sign-in sent
  std::int64_t nowSeconds = 0;
  std::int64_t leewaySeconds = 60;      // clock skew allowed on exp and iat
  std::int64_t maxAgeSeconds = 600;     // an iat older than this is a replay, not a sign-in
};

struct IdTokenClaims {
  std::string issuer, subject;
  std::string name, givenName, usualName, familyName, email;  // as the provider sends them
  std::string acr;
  std::int64_t expiresAt = 0, issuedAt = 0;
};

enum class IdTokenError {
  Malformed,             // not three base64url parts of JSON objects, or too large
  UnsupportedAlgorithm,  // alg other than RS256 and ES256 ("none", HS256, ...)
  UnknownKey,            // no key of the provider has this kid (refresh the key set, once)
  BadSignature,
  WrongIssuer,
  WrongAudience,
  Expired,
  IssuedInTheFuture,
  TooOld,
  WrongNonce,
  MissingSubject,
};

struct IdTokenRejection {
  IdTokenError error;
  std::string detail;  // for the log: what was expected and what came
};

const char* describe(IdTokenError error);

inline constexpr std::size_t kMaxIdTokenBytes = 16 * 1024;

// The payload (JSON text) of a compact JWS whose signature `keys` verify (RS256 or ES256),
// claims unchecked: for signed userinfo responses, whose claims the caller checks.
std::variant<std::string, IdTokenRejection> verifiedJwsPayload(std::string_view token, const JsonWebKeySet& keys);

std::variant<IdTokenClaims, IdTokenRejection> validateIdToken(std::string_view token, const JsonWebKeySet& keys,
                                                              const IdTokenExpectations& expected);

}  // namespace parley::auth
