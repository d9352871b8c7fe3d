#pragma once
// Sign-ins under way (OpenID Connect's authorization code flow with PKCE, RFC 7636): each
// gets a random `state` (which the provider hands back, binding the callback to this
// browser's request), a `nonce` (which the ID token must carry) and a PKCE verifier (whose
// S256 challenge goes to the provider, so a stolen code is useless without it). A request is
// taken once: a replayed callback, or a token from an earlier sign-in, finds nothing. They
// expire after 10 minutes, and their number is bounded, so anonymous visitors cannot grow it.
// Control thread only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace parley::auth {

struct PendingSignIn {
  std::string state, nonce, verifier;
  std::string returnTo;  // a path of ours, where the browser goes once signed in
  std::int64_t createdMillis = 0;
};

class SignInRequests {
 public:
  static constexpr std::size_t kMaxPending = 10000;
  static constexpr std::int64_t kLifetimeMillis = 10 * 60 * 1000;

  // A new sign-in, or nullopt when kMaxPending are under way (after dropping expired ones).
  std::optional<PendingSignIn> begin(const std::string& returnTo, std::int64_t nowMillis);
  // The sign-in `state` names, removed; nullopt if unknown, used or expired.
  std::optional<PendingSignIn> take(const std::string& state, std::int64_t nowMillis);
  std::size_t size() const { return pending_.size(); }

 private:
  void dropExpired(std::int64_t nowMillis);
  std::unordered_map<std::string, PendingSignIn> pending_;
};

// RFC 7636's S256: base64url(SHA-256(verifier)).
std::string pkceChallenge(const std::string& verifier);

// `path` if it is a path of this site ("/r/abc-defg-hij"), else "/": never another origin
// ("//evil.example", "https://...", "/\\evil"), so sign-in cannot redirect elsewhere.
std::string safeReturnPath(const std::string& path);

}  // namespace parley::auth
