#include "http/AuthRoutes.h"

#include <spdlog/spdlog.h>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "http/Responses.h"
#include "http/Router.h"

namespace parley::http {

namespace bhttp = boost::beast::http;

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string cookie(std::string_view name, const std::string& value, std::string_view path, bool https,
                   std::int64_t maxAgeSeconds) {
  return std::string(name) + "=" + value + "; Path=" + std::string(path) + "; HttpOnly; SameSite=Lax; Max-Age=" +
         std::to_string(maxAgeSeconds) + (https ? "; Secure" : "");
}

std::string sessionCookie(const std::string& value, bool https, std::int64_t maxAgeSeconds) {
  return cookie(kSessionCookie, value, "/", https, maxAgeSeconds);
}

// The sign-in under way in this browser (its state), for the callback only.
constexpr std::string_view kSignInCookie = "parley_signin";
std::string signInCookie(const std::string& state, bool https, std::int64_t maxAgeSeconds) {
  return cookie(kSignInCookie, state, "/auth/callback", https, maxAgeSeconds);
}

}  // namespace

std::string cookieValue(const Request& request, std::string_view name) {
  const std::string_view header = request[bhttp::field::cookie];
  for (std::size_t start = 0; start < header.size();) {
    auto end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(start, end - start);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    start = end + 1;
  }
  return {};
}

std::optional<std::string> queryValue(std::string_view query, std::string_view key) {
  for (std::size_t start = 0; start <= query.size();) {
    const auto end = std::min(query.find('&', start), query.size());
    const auto pair = query.substr(start, end - start);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) return percentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    start = end + 1;
  }
  return std::nullopt;
}

bool AuthRoutes::handle(const Request& request, const ClientInfo& client,
                        const std::function<void(Response)>& respond) {
  const std::string_view target = request.target();
  const auto mark = target.find('?');
  const std::string_view path = target.substr(0, mark);
  const std::string_view query = mark == std::string_view::npos ? "" : target.substr(mark + 1);
  const auto method = request.method();
  const bool isGet = method == bhttp::verb::get || method == bhttp::verb::head;
  if (path == "/api/me") {
    respond(isGet ? me(request) : Router::error(405, "method not allowed", request.version()));
    return true;
  }
  if (path != "/auth/login" && path != "/auth/callback" && path != "/auth/logout") return false;
  if (!signIn_) {
    respond(Router::error(404, "sign-in is not configured on this server", request.version()));
    return true;
  }
  if (path == "/auth/logout") {
    respond(method == bhttp::verb::post ? logout(request, client)
                                        : Router::error(405, "method not allowed", request.version()));
    return true;
  }
  if (!isGet) {
    respond(Router::error(405, "method not allowed", request.version()));
    return true;
  }
  if (path == "/auth/login") login(request, client, query, respond);
  else callback(request, client, query, respond);
  return true;
}

std::optional<store::UserSessionRecord> AuthRoutes::user(const Request& request) {
  if (!signIn_) return std::nullopt;
  const std::string id = cookieValue(request, kSessionCookie);
  if (id.empty()) return std::nullopt;
  return signIn_->session(id, unixMillisNow());
}

Response AuthRoutes::me(const Request& request) {
  nlohmann::json body = {{"sign_in", signIn_ != nullptr}, {"user", nullptr}};
  if (const auto signedIn = user(request)) {
    body["user"] = {{"name", signedIn->name}, {"email", signedIn->email}, {"subject", signedIn->subject}};
  }
  return jsonResponse(200, request.version(), body);
}

void AuthRoutes::login(const Request& request, const ClientInfo& client, std::string_view query,
                       const std::function<void(Response)>& respond) {
  if (!loginLimits_.allow(client)) {
    auto limited = htmlMessage(429, request.version(), "Too many sign-ins", "Wait a moment and try again.");
    limited.set(bhttp::field::retry_after, "5");
    return respond(std::move(limited));
  }
  const unsigned version = request.version();
  const bool https = client.https;
  signIn_->begin(queryValue(query, "return").value_or("/"), unixMillisNow(),
                 [respond, version, https](std::variant<auth::SignInService::Started, auth::SignInFailure> result) {
                   if (auto* failure = std::get_if<auth::SignInFailure>(&result)) {
                     spdlog::warn("sign-in could not start: {}", failure->reason);
                     return respond(htmlMessage(503, version, "Sign-in is unavailable",
                                                "The identity provider cannot be reached just now. Try again in a "
                                                "few minutes."));
                   }
                   const auto& started = std::get<auth::SignInService::Started>(result);
                   auto response = redirect(version, started.authorizationUrl);
                   response.set(bhttp::field::set_cookie,
                                signInCookie(started.state, https, auth::SignInRequests::kLifetimeMillis / 1000));
                   respond(std::move(response));
                 });
}

void AuthRoutes::callback(const Request& request, const ClientInfo& client, std::string_view query,
                          const std::function<void(Response)>& respond) {
  const unsigned version = request.version();
  if (const auto error = queryValue(query, "error")) {
    // The provider said no (the person cancelled, or is not allowed): its words, in the log.
    spdlog::info("sign-in refused by the identity provider: {} {}", error->substr(0, 100),
                 queryValue(query, "error_description").value_or("").substr(0, 200));
    if (const auto state = queryValue(query, "state")) signIn_->abandon(*state, unixMillisNow());
    return respond(htmlMessage(403, version, "Sign-in cancelled", "You were not signed in."));
  }
  const bool https = client.https;
  signIn_->complete(queryValue(query, "code").value_or(""), queryValue(query, "state").value_or(""),
                    cookieValue(request, kSignInCookie), unixMillisNow(),
                    [respond, version, https](std::variant<auth::SignInService::SignedIn, auth::SignInFailure> result) {
                      if (auto* failure = std::get_if<auth::SignInFailure>(&result)) {
                        spdlog::warn("sign-in failed: {}", failure->reason);
                        return respond(htmlMessage(failure->providerDown ? 503 : 400, version, "Sign-in failed",
                                                   failure->providerDown
                                                       ? "The identity provider cannot be reached just now. Try "
                                                         "again in a few minutes."
                                                       : "Your sign-in could not be completed. Go back to Parley "
                                                         "and sign in again."));
                      }
                      const auto& signedIn = std::get<auth::SignInService::SignedIn>(result);
                      spdlog::info("signed in: {} ({})", signedIn.user.subject, signedIn.user.issuer);
                      auto response = redirect(version, signedIn.returnTo);
                      response.set(bhttp::field::set_cookie,
                                   sessionCookie(signedIn.sessionId, https,
                                                 auth::SignInService::kSessionLifetimeMillis / 1000));
                      response.insert(bhttp::field::set_cookie, signInCookie("", https, 0));
                      respond(std::move(response));
                    });
}

Response AuthRoutes::logout(const Request& request, const ClientInfo& client) {
  // A cross-site form must not sign anyone out: a browser's POST says where it comes from.
  const std::string_view origin = request[bhttp::field::origin];
  if (origin.empty() || !originAllowed(request, client)) {
    return Router::error(403, "sign-out must come from a page of this server", request.version());
  }
  const auto endSession = signIn_->signOut(cookieValue(request, kSessionCookie), unixMillisNow());
  auto response = jsonResponse(200, request.version(),
                               {{"redirect", endSession ? nlohmann::json(*endSession) : nlohmann::json(nullptr)}});
  response.set(bhttp::field::set_cookie, sessionCookie("", client.https, 0));
  return response;
}

}  // namespace parley::http
