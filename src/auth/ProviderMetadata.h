#pragma once
// An OpenID provider's discovery document (OpenID Connect Discovery 1.0, section 3), read
// and checked: its issuer must be exactly the one configured (section 4.3: a document that
// names another issuer is refused), and every endpoint must be https, or http on a loopback
// address (a provider on the same machine, as the tests run one).
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley::auth {

struct ProviderMetadata {
  std::string issuer;
  std::string authorizationEndpoint, tokenEndpoint, jwksUri;
  std::string userinfoEndpoint;    // optional
  std::string endSessionEndpoint;  // optional (RP-initiated logout)
  std::vector<std::string> signingAlgorithms;  // id_token_signing_alg_values_supported
  bool clientSecretPost = false;   // the token endpoint takes the secret in the body only

  static constexpr std::size_t kMaxDocumentBytes = 64 * 1024;
  static std::variant<ProviderMetadata, std::string> parse(std::string_view json, const std::string& expectedIssuer);
};

// True for https URLs, and for http ones whose host is a loopback address or "localhost".
bool isAcceptableProviderUrl(const std::string& url);

}  // namespace parley::auth
