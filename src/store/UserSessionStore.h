#pragma once
// Signed-in users' sessions, server-side: the browser holds only an opaque random id in a
// cookie; what it stands for (who, until when, revoked or not) is kept here, under the id's
// SHA-256, so a copy of the database lets nobody pose as anyone. Independent of the identity
// protocol: the subject and issuer are whatever the provider said.
#include <cstdint>
#include <optional>
#include <string>

namespace parley::store {

struct UserSessionRecord {
  std::string idSha256;
  std::string issuer, subject;  // who, as the identity provider names them
  std::string name, email;
  std::string idToken;  // the provider's, for signing out there (id_token_hint)
  std::int64_t createdAt = 0, expiresAt = 0;  // unix milliseconds
  std::optional<std::int64_t> revokedAt;
};

class UserSessionStore {
 public:
  virtual ~UserSessionStore() = default;
  virtual void createUserSession(const UserSessionRecord& session) = 0;
  // The session, if it exists, is not revoked and has not expired at `now`.
  virtual std::optional<UserSessionRecord> findLiveUserSession(const std::string& idSha256, std::int64_t now) = 0;
  // Signing out: the session can never be used again. False if there was none to revoke.
  virtual bool revokeUserSession(const std::string& idSha256, std::int64_t at) = 0;
  // Forgets sessions that expired or were revoked before `before`; returns how many.
  virtual int deleteUserSessionsEndedBefore(std::int64_t before) = 0;
};

}  // namespace parley::store
