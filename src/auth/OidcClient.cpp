#include "auth/OidcClient.h"

#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "auth/Base64Url.h"
#include "auth/IdToken.h"
#include "common/Random.h"
#include "common/Text.h"
#include "fetch/HttpClient.h"

namespace parley::auth {

namespace {

constexpr std::size_t kMaxProviderResponse = 64 * 1024;
constexpr std::int64_t kKeyRefreshSeconds = 60;

// GETs a provider URL; the body, or a failure.
std::variant<std::string, SignInFailure> fetchText(const std::string& url, const std::map<std::string, std::string>& headers,
                                                   std::chrono::seconds timeout, std::string* contentType = nullptr) {
  try {
    const auto parsed = fetch::parseUrl(url);
    const auto response = fetch::httpGet(parsed, parsed.path.empty() ? "/" : parsed.path, headers, timeout,
                                         kMaxProviderResponse);
    if (response.status != 200) return SignInFailure{url + " answered " + std::to_string(response.status), true};
    if (contentType) *contentType = response.contentType;
    return response.body;
  } catch (const std::exception& e) {
    return SignInFailure{url + ": " + e.what(), true};
  }
}

std::string stringOf(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string formEncode(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string displayName(const std::string& givenName, const std::string& usualName, const std::string& name,
                        const std::string& familyName, const std::string& email) {
  std::string chosen;
  if (!givenName.empty() && !usualName.empty()) chosen = givenName + " " + usualName;
  else if (!name.empty()) chosen = name;
  else if (!givenName.empty() || !familyName.empty()) chosen = givenName + (givenName.empty() ? "" : " ") + familyName;
  else chosen = email;
  std::string clean;
  for (const char c : chosen) {
    const auto u = static_cast<unsigned char>(c);
    clean += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  clean = std::string(trimWhitespace(clean));
  // At most 64 code points, cut between UTF-8 sequences.
  std::size_t points = 0, cut = 0;
  for (; cut < clean.size(); ++cut) {
    if ((static_cast<unsigned char>(clean[cut]) & 0xc0) != 0x80 && ++points > 64) break;
  }
  clean.resize(cut);
  return utf8Length(clean) ? clean : std::string();
}

OidcClient::OidcClient(OidcSettings settings) : settings_(std::move(settings)) {}

std::optional<SignInFailure> OidcClient::ensureMetadata() {
  if (metadata_) return std::nullopt;
  std::string issuer = settings_.issuer;
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  auto body = fetchText(issuer + "/.well-known/openid-configuration", {{"Accept", "application/json"}}, settings_.timeout);
  if (auto* failure = std::get_if<SignInFailure>(&body)) return *failure;
  auto parsed = ProviderMetadata::parse(std::get<std::string>(body), settings_.issuer);
  if (auto* error = std::get_if<std::string>(&parsed)) return SignInFailure{*error, false};
  metadata_ = std::move(std::get<ProviderMetadata>(parsed));
  return std::nullopt;
}

std::optional<SignInFailure> OidcClient::fetchKeys(std::int64_t nowSeconds) {
  auto body = fetchText(metadata_->jwksUri, {{"Accept", "application/json"}}, settings_.timeout);
  if (auto* failure = std::get_if<SignInFailure>(&body)) return *failure;
  auto parsed = JsonWebKeySet::parse(std::get<std::string>(body));
  if (auto* error = std::get_if<std::string>(&parsed)) return SignInFailure{*error, false};
  keys_ = std::move(std::get<JsonWebKeySet>(parsed));
  keysFetchedAt_ = nowSeconds;
  return std::nullopt;
}

std::variant<std::string, SignInFailure> OidcClient::authorizationUrl(const PendingSignIn& request) {
  if (auto failure = ensureMetadata()) return *failure;
  const auto& endpoint = metadata_->authorizationEndpoint;
  std::string url = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&");
  url += "response_type=code&client_id=" + formEncode(settings_.clientId) +
         "&redirect_uri=" + formEncode(settings_.redirectUri) + "&scope=" + formEncode(settings_.scopes) +
         "&state=" + formEncode(request.state) + "&nonce=" + formEncode(request.nonce) +
         "&code_challenge=" + formEncode(pkceChallenge(request.verifier)) + "&code_challenge_method=S256";
  if (!settings_.requiredAcr.empty()) {
    url += "&claims=" + formEncode(nlohmann::json{{"id_token", {{"acr", {{"essential", true}, {"value", settings_.requiredAcr}}}}}}.dump());
    url += "&acr_values=" + formEncode(settings_.requiredAcr);
  }
  return url;
}

std::variant<SignedInUser, SignInFailure> OidcClient::completeSignIn(const std::string& code,
                                                                     const PendingSignIn& request,
                                                                     std::int64_t nowSeconds) {
  if (auto failure = ensureMetadata()) return *failure;
  if (!keys_) {
    if (auto failure = fetchKeys(nowSeconds)) return *failure;
  }
  // The code for tokens, with the PKCE verifier; the secret as the provider prefers it.
  std::string form = "grant_type=authorization_code&code=" + formEncode(code) +
                     "&redirect_uri=" + formEncode(settings_.redirectUri) +
                     "&code_verifier=" + formEncode(request.verifier);
  std::map<std::string, std::string> headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                                                {"Accept", "application/json"}};
  if (metadata_->clientSecretPost) {
    form += "&client_id=" + formEncode(settings_.clientId) + "&client_secret=" + formEncode(settings_.clientSecret);
  } else {
    headers["Authorization"] =
        "Basic " + base64Encode(formEncode(settings_.clientId) + ":" + formEncode(settings_.clientSecret));
  }
  fetch::HttpResponse response;
  try {
    const auto url = fetch::parseUrl(metadata_->tokenEndpoint);
    response = fetch::httpPost(url, url.path.empty() ? "/" : url.path, headers, form, settings_.timeout,
                               kMaxProviderResponse);
  } catch (const std::exception& e) {
    return SignInFailure{"the token endpoint: " + std::string(e.what()), true};
  }
  const auto tokens = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200 || tokens.is_discarded() || !tokens.is_object()) {
    return SignInFailure{"the token endpoint answered " + std::to_string(response.status) + ": " +
                         response.body.substr(0, 200)};
  }
  const std::string idToken = stringOf(tokens, "id_token");
  const std::string accessToken = stringOf(tokens, "access_token");
  IdTokenExpectations expected{settings_.issuer, settings_.clientId, request.nonce, nowSeconds};
  auto validated = validateIdToken(idToken, *keys_, expected);
  if (auto* rejection = std::get_if<IdTokenRejection>(&validated);
      rejection && rejection->error == IdTokenError::UnknownKey && nowSeconds - keysFetchedAt_ >= kKeyRefreshSeconds) {
    if (auto failure = fetchKeys(nowSeconds)) return *failure;
    validated = validateIdToken(idToken, *keys_, expected);
  }
  if (auto* rejection = std::get_if<IdTokenRejection>(&validated)) {
    return SignInFailure{std::string(describe(rejection->error)) +
                         (rejection->detail.empty() ? "" : " (" + rejection->detail + ")")};
  }
  const auto& claims = std::get<IdTokenClaims>(validated);
  if (!settings_.requiredAcr.empty() && claims.acr != settings_.requiredAcr) {
    return SignInFailure{"the ID token's acr is \"" + claims.acr + "\", not the required \"" + settings_.requiredAcr + "\""};
  }
  SignedInUser user{claims.issuer, claims.subject, {}, claims.email, idToken};
  std::string given = claims.givenName, usual = claims.usualName, name = claims.name, family = claims.familyName;
  // Names often come only from userinfo (ProConnect sends them there, as a signed JWT).
  if (!metadata_->userinfoEndpoint.empty() && !accessToken.empty()) {
    std::string contentType;
    auto body = fetchText(metadata_->userinfoEndpoint, {{"Authorization", "Bearer " + accessToken}}, settings_.timeout,
                    &contentType);
    if (auto* text = std::get_if<std::string>(&body)) {
      std::string json = *text;
      if (contentType.rfind("application/jwt", 0) == 0) {
        auto payload = verifiedJwsPayload(*text, *keys_);
        json = std::holds_alternative<std::string>(payload) ? std::get<std::string>(payload) : std::string();
      }
      const auto info = nlohmann::json::parse(json, nullptr, false);
      // OpenID Connect Core 5.3.2: userinfo about anyone else is ignored.
      if (info.is_object() && stringOf(info, "sub") == claims.subject) {
        if (given.empty()) given = stringOf(info, "given_name");
        if (usual.empty()) usual = stringOf(info, "usual_name");
        if (name.empty()) name = stringOf(info, "name");
        if (family.empty()) family = stringOf(info, "family_name");
        if (user.email.empty()) user.email = stringOf(info, "email");
      }
    }
  }
  user.name = displayName(given, usual, name, family, user.email);
  if (user.name.empty()) user.name = "?";
  return user;
}

std::string endSessionUrl(const std::string& endpoint, const std::string& clientId, const std::string& idTokenHint,
                          const std::string& postLogoutRedirectUri) {
  std::string url = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") + "client_id=" +
                    formEncode(clientId) + "&post_logout_redirect_uri=" + formEncode(postLogoutRedirectUri) +
                    "&state=" + formEncode(randomToken(16));
  if (!idTokenHint.empty()) url += "&id_token_hint=" + formEncode(idTokenHint);
  return url;
}

}  // namespace parley::auth
