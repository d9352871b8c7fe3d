#pragma once
// Sign-in over HTTP (OpenID Connect, see auth::SignInService):
//   GET  /api/me          who this browser is signed in as: {"sign_in": bool, "user": {...}|null}
//   GET  /auth/login?return=PATH   to the identity provider, then back to PATH
//   GET  /auth/callback   the provider's answer: a session cookie, then back
//   POST /auth/logout     same-origin only: the session revoked, the cookie cleared, and
//                         {"redirect": URL|null} to sign out at the provider too
// A session is an HttpOnly, SameSite=Lax cookie (Secure over HTTPS) holding a random id.
// A sign-in under way is a second one, parley_signin, holding its state for the callback
// only: a callback opened in another browser (login CSRF) finds no match and is refused.
// Control thread only.
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/SignInService.h"
#include "http/ClientRateLimits.h"
#include "http/HttpPolicy.h"

namespace parley::http {

inline constexpr const char* kSessionCookie = "parley_session";

class AuthRoutes {
 public:
  // `signIn` null: sign-in is off (/api/me says so, /auth/* answer 404).
  explicit AuthRoutes(auth::SignInService* signIn) : signIn_(signIn) {}

  // True if the request is one of these routes; `respond` then runs once, now or later.
  bool handle(const Request& request, const ClientInfo& client, const std::function<void(Response)>& respond);
  // The signed-in user the request's cookie names, if any.
  std::optional<store::UserSessionRecord> user(const Request& request);

 private:
  void login(const Request& request, const ClientInfo& client, std::string_view query,
             const std::function<void(Response)>& respond);
  void callback(const Request& request, const ClientInfo& client, std::string_view query,
                const std::function<void(Response)>& respond);
  Response logout(const Request& request, const ClientInfo& client);
  Response me(const Request& request);

  auth::SignInService* signIn_;
  ClientRateLimits loginLimits_{1.0, 20.0};  // 20 at once, then 1 a second
};

// The value of cookie `name` in a request's Cookie header, "" if absent.
std::string cookieValue(const Request& request, std::string_view name);
// The decoded value of `key` in a query string, nullopt if absent.
std::optional<std::string> queryValue(std::string_view query, std::string_view key);

}  // namespace parley::http
