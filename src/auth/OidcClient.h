#pragma once
// Parley as an OpenID Connect relying party (authorization code flow, confidential client,
// PKCE): the URL that sends a browser to the provider, and the exchange of the code it
// brings back for a validated identity. Blocking (it calls the provider): one thread of its
// own runs it (SignInService), never the control thread. The provider's discovery document
// and keys are fetched when first needed and kept; the keys again, at most once a minute,
// when a token names a key they lack (the provider rotated them).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "auth/JsonWebKeys.h"
#include "auth/ProviderMetadata.h"
#include "auth/SignInRequests.h"

namespace parley::auth {

struct OidcSettings {
  std::string issuer;        // e.g. https://auth.agentconnect.gouv.fr/api/v2 (ProConnect)
  std::string clientId, clientSecret;
  std::string redirectUri;   // https://PUBLIC-URL/auth/callback, as registered with the provider
  std::string postLogoutRedirectUri;  // https://PUBLIC-URL/, where the provider sends people who signed out
  std::string scopes = "openid profile email";
  std::string requiredAcr;   // if set, asked for and required in the ID token
  std::chrono::seconds timeout{10};
};

// Who signed in, as the provider says.
struct SignedInUser {
  std::string issuer, subject;
  std::string name;  // for people to read: see displayName()
  std::string email;
  std::string idToken;  // kept for signing out at the provider (id_token_hint)
};

struct SignInFailure {
  std::string reason;       // for the log
  bool providerDown = false;  // the provider could not be reached: try again later
};

class OidcClient {
 public:
  explicit OidcClient(OidcSettings settings);

  // Where to send the browser for `request`, or why not (the provider cannot be reached).
  std::variant<std::string, SignInFailure> authorizationUrl(const PendingSignIn& request);
  // The code the provider sent back: exchanged, its ID token validated, the name read.
  std::variant<SignedInUser, SignInFailure> completeSignIn(const std::string& code, const PendingSignIn& request,
                                                           std::int64_t nowSeconds);
  const OidcSettings& settings() const { return settings_; }
  // The provider's RP-initiated logout endpoint, once the discovery document is read; "" if none.
  std::string endSessionEndpoint() const { return metadata_ ? metadata_->endSessionEndpoint : std::string(); }

 private:
  std::optional<SignInFailure> ensureMetadata();
  std::optional<SignInFailure> fetchKeys(std::int64_t nowSeconds);

  OidcSettings settings_;
  std::optional<ProviderMetadata> metadata_;
  std::optional<JsonWebKeySet> keys_;
  std::int64_t keysFetchedAt_ = 0;
};

// A person's name from the provider's claims (ID token or userinfo): ProConnect's
// given_name and usual_name, else name, else given_name and family_name, else the email;
// trimmed, control characters removed, at most 64 characters.
std::string displayName(const std::string& givenName, const std::string& usualName, const std::string& name,
                        const std::string& familyName, const std::string& email);

// Where to send a browser that signs out at the provider (RP-initiated logout 1.0).
std::string endSessionUrl(const std::string& endpoint, const std::string& clientId, const std::string& idTokenHint,
                          const std::string& postLogoutRedirectUri);

// application/x-www-form-urlencoded encoding of one value.
std::string formEncode(const std::string& value);

}  // namespace parley::auth
