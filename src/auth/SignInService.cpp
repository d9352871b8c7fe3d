#include "auth/SignInService.h"

#include "common/Random.h"
#include "common/Text.h"

namespace parley::auth {

SignInService::SignInService(OidcSettings settings, store::UserSessionStore& sessions, Post post)
    : settings_(settings), sessions_(sessions), post_(std::move(post)), client_(std::move(settings)) {
  thread_ = std::thread([this] { run(); });
}

SignInService::~SignInService() {
  *alive_ = false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  thread_.join();
}

bool SignInService::enqueue(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueued) return false;
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
  return true;
}

void SignInService::run() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
}

void SignInService::begin(const std::string& returnTo, std::int64_t nowMillis,
                          std::function<void(std::variant<Started, SignInFailure>)> done) {
  auto request = requests_.begin(returnTo, nowMillis);
  if (!request) return done(SignInFailure{"too many sign-ins under way", true});
  // The provider thread reads the discovery document the first time; the URL comes back.
  const bool queued = enqueue([this, request = *request, done]() mutable {
    auto url = client_.authorizationUrl(request);
    post_([alive = alive_, done = std::move(done), url = std::move(url), state = request.state]() mutable {
      if (!*alive) return;
      if (auto* failure = std::get_if<SignInFailure>(&url)) return done(std::move(*failure));
      done(Started{std::move(std::get<std::string>(url)), state});
    });
  });
  if (!queued) {
    requests_.take(request->state, nowMillis);
    done(SignInFailure{"the sign-in thread is busy", true});
  }
}

void SignInService::complete(const std::string& code, const std::string& state, const std::string& browserState,
                             std::int64_t nowMillis, std::function<void(std::variant<SignedIn, SignInFailure>)> done) {
  if (state.empty() || !constantTimeEquals(state, browserState)) {
    return done(SignInFailure{"the callback's state is not the one this browser's sign-in started with"});
  }
  auto request = requests_.take(state, nowMillis);
  if (!request) return done(SignInFailure{"unknown, used or expired sign-in state"});
  if (code.empty() || code.size() > 2048) return done(SignInFailure{"no usable authorization code"});
  const bool queued = enqueue([this, code, request = *request, nowMillis, done]() mutable {
    auto result = client_.completeSignIn(code, request, nowMillis / 1000);
    std::string endSession = client_.endSessionEndpoint();
    post_([this, alive = alive_, done = std::move(done), result = std::move(result), returnTo = request.returnTo,
           endSession = std::move(endSession), nowMillis]() mutable {
      if (!*alive) return;  // the service is gone (the server is stopping)
      endSessionEndpoint_ = endSession;
      if (auto* failure = std::get_if<SignInFailure>(&result)) return done(std::move(*failure));
      auto& user = std::get<SignedInUser>(result);
      SignedIn signedIn{randomToken(32), returnTo, user};
      try {
        sessions_.createUserSession({sha256Hex(signedIn.sessionId), user.issuer, user.subject, user.name, user.email,
                                     user.idToken, nowMillis, nowMillis + kSessionLifetimeMillis, std::nullopt});
      } catch (const std::exception& e) {
        return done(SignInFailure{std::string("the session could not be stored: ") + e.what(), true});
      }
      done(std::move(signedIn));
    });
  });
  if (!queued) done(SignInFailure{"the sign-in thread is busy", true});
}

std::optional<store::UserSessionRecord> SignInService::session(const std::string& sessionId, std::int64_t nowMillis) {
  if (sessionId.empty() || sessionId.size() > 128) return std::nullopt;
  // Looked up by hash: the comparison happens on SHA-256 values, not on the secret.
  return sessions_.findLiveUserSession(sha256Hex(sessionId), nowMillis);
}

std::optional<std::string> SignInService::signOut(const std::string& sessionId, std::int64_t nowMillis) {
  const auto live = session(sessionId, nowMillis);
  if (!live) return std::nullopt;
  sessions_.revokeUserSession(live->idSha256, nowMillis);
  if (endSessionEndpoint_.empty()) return std::nullopt;
  return endSessionUrl(endSessionEndpoint_, settings_.clientId, live->idToken, settings_.postLogoutRedirectUri);
}

void SignInService::sweep(std::int64_t nowMillis) {
  sessions_.deleteUserSessionsEndedBefore(nowMillis - 24LL * 3600 * 1000);
}

}  // namespace parley::auth
