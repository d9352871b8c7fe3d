#pragma once
// Sign-in and sign-out for the HTTP front end. The control thread calls it; the exchanges
// with the identity provider (OidcClient, blocking) run on one thread of its own, whose
// results come back through `post` onto the control thread. At most kMaxQueued exchanges
// wait for that thread: past it, sign-ins are refused at once ("busy") rather than queued
// without bound. A signed-in browser holds only a random session id (cookie); the session
// itself is in the store under the id's SHA-256, with its expiry, and signing out revokes
// it for good.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "auth/OidcClient.h"
#include "auth/SignInRequests.h"
#include "store/UserSessionStore.h"

namespace parley::auth {

class SignInService {
 public:
  static constexpr std::size_t kMaxQueued = 32;
  static constexpr std::int64_t kSessionLifetimeMillis = 12LL * 3600 * 1000;

  using Post = std::function<void(std::function<void()>)>;
  SignInService(OidcSettings settings, store::UserSessionStore& sessions, Post post);
  ~SignInService();  // stops the provider thread; exchanges still queued never answer
  SignInService(const SignInService&) = delete;
  SignInService& operator=(const SignInService&) = delete;

  // Control thread only, below. `done` runs on the control thread.
  // Where to send the browser to sign in, then come back to `returnTo` (a path of ours);
  // `state` goes into a cookie too, which the callback must bring back (it binds the
  // callback to the browser that started the sign-in: no login CSRF).
  struct Started {
    std::string authorizationUrl, state;
  };
  void begin(const std::string& returnTo, std::int64_t nowMillis,
             std::function<void(std::variant<Started, SignInFailure>)> done);

  struct SignedIn {
    std::string sessionId;  // for the cookie
    std::string returnTo;
    SignedInUser user;
  };
  // The provider's callback (code and state) in a browser whose sign-in cookie says
  // `browserState`: a new session, or why not. A state from another browser is refused
  // and stays usable by its own.
  void complete(const std::string& code, const std::string& state, const std::string& browserState,
                std::int64_t nowMillis, std::function<void(std::variant<SignedIn, SignInFailure>)> done);

  // The live session a cookie's id names, if any.
  std::optional<store::UserSessionRecord> session(const std::string& sessionId, std::int64_t nowMillis);
  // Revokes it; returns where to send the browser to sign out at the provider too, if it
  // offers that, else nullopt.
  std::optional<std::string> signOut(const std::string& sessionId, std::int64_t nowMillis);
  // The provider answered the sign-in `state` with an error: forget it.
  void abandon(const std::string& state, std::int64_t nowMillis) { requests_.take(state, nowMillis); }
  // Forgets sessions that ended long ago (the clock calls it).
  void sweep(std::int64_t nowMillis);

  const OidcSettings& settings() const { return settings_; }

 private:
  // Runs `work` on the provider thread; false if kMaxQueued are waiting.
  bool enqueue(std::function<void()> work);
  void run();

  const OidcSettings settings_;
  store::UserSessionStore& sessions_;
  Post post_;
  SignInRequests requests_;
  std::string endSessionEndpoint_;  // learnt from the provider thread's results
  // Read on the control thread by what the provider thread posts there: false once this is
  // destroyed, so a result arriving after that touches nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  OidcClient client_;  // provider thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace parley::auth
