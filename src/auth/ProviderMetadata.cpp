#include "auth/ProviderMetadata.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace parley::auth {

namespace {

std::string stringMember(const nlohmann::json& document, const char* name) {
  const auto it = document.find(name);
  return it != document.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> stringArray(const nlohmann::json& document, const char* name) {
  std::vector<std::string> out;
  const auto it = document.find(name);
  if (it == document.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string() && out.size() < 64) out.push_back(item.get<std::string>());
  }
  return out;
}

// The host of "scheme://host[:port]/...", brackets kept for IPv6.
std::string hostOf(std::string_view rest) {
  const auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return {};  // no userinfo in a provider's URL
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    return close == std::string_view::npos ? std::string() : std::string(authority.substr(0, close + 1));
  }
  return std::string(authority.substr(0, authority.find(':')));
}

}  // namespace

bool isAcceptableProviderUrl(const std::string& url) {
  if (url.size() > 2048) return false;
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) == 0x7f) return false;
  }
  if (url.rfind("https://", 0) == 0) return !hostOf(std::string_view(url).substr(8)).empty();
  if (url.rfind("http://", 0) != 0) return false;
  const std::string host = hostOf(std::string_view(url).substr(7));
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

std::variant<ProviderMetadata, std::string> ProviderMetadata::parse(std::string_view json,
                                                                    const std::string& expectedIssuer) {
  if (json.size() > kMaxDocumentBytes) return std::string("the discovery document is larger than 64 KiB");
  const auto document = nlohmann::json::parse(json, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return std::string("the discovery document is not a JSON object");
  ProviderMetadata metadata;
  metadata.issuer = stringMember(document, "issuer");
  if (metadata.issuer != expectedIssuer) {
    return "the discovery document names issuer \"" + metadata.issuer + "\", not \"" + expectedIssuer + "\"";
  }
  metadata.authorizationEndpoint = stringMember(document, "authorization_endpoint");
  metadata.tokenEndpoint = stringMember(document, "token_endpoint");
  metadata.jwksUri = stringMember(document, "jwks_uri");
  metadata.userinfoEndpoint = stringMember(document, "userinfo_endpoint");
  metadata.endSessionEndpoint = stringMember(document, "end_session_endpoint");
  for (const auto& [name, value] : {std::pair{"authorization_endpoint", &metadata.authorizationEndpoint},
                                    std::pair{"token_endpoint", &metadata.tokenEndpoint},
                                    std::pair{"jwks_uri", &metadata.jwksUri}}) {
    if (!isAcceptableProviderUrl(*value)) {
      return std::string("the discovery document's ") + name + " is missing or not https: \"" + *value + "\"";
    }
  }
  for (auto* optional : {&metadata.userinfoEndpoint, &metadata.endSessionEndpoint}) {
    if (!optional->empty() && !isAcceptableProviderUrl(*optional)) optional->clear();
  }
  metadata.signingAlgorithms = stringArray(document, "id_token_signing_alg_values_supported");
  const auto& algs = metadata.signingAlgorithms;
  if (std::find(algs.begin(), algs.end(), "RS256") == algs.end() &&
      std::find(algs.begin(), algs.end(), "ES256") == algs.end()) {
    return std::string("the provider signs ID tokens with neither RS256 nor ES256");
  }
  const auto methods = stringArray(document, "token_endpoint_auth_methods_supported");
  // Absent means client_secret_basic (Discovery 3).
  metadata.clientSecretPost = !methods.empty() &&
                              std::find(methods.begin(), methods.end(), "client_secret_basic") == methods.end() &&
                              std::find(methods.begin(), methods.end(), "client_secret_post") != methods.end();
  return metadata;
}

}  // namespace parley::auth
