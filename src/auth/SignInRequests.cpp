#include "auth/SignInRequests.h"

#include <openssl/sha.h>

#include "auth/Base64Url.h"
#include "common/Random.h"

namespace parley::auth {

std::optional<PendingSignIn> SignInRequests::begin(const std::string& returnTo, std::int64_t nowMillis) {
  if (pending_.size() >= kMaxPending) dropExpired(nowMillis);
  if (pending_.size() >= kMaxPending) return std::nullopt;
  PendingSignIn request;
  request.state = randomToken(24);
  request.nonce = randomToken(24);
  request.verifier = randomToken(48);  // 64 characters, within RFC 7636's 43 to 128
  request.returnTo = safeReturnPath(returnTo);
  request.createdMillis = nowMillis;
  pending_.emplace(request.state, request);
  return request;
}

std::optional<PendingSignIn> SignInRequests::take(const std::string& state, std::int64_t nowMillis) {
  const auto it = pending_.find(state);
  if (it == pending_.end()) return std::nullopt;
  PendingSignIn request = std::move(it->second);
  pending_.erase(it);
  if (nowMillis - request.createdMillis > kLifetimeMillis) return std::nullopt;
  return request;
}

void SignInRequests::dropExpired(std::int64_t nowMillis) {
  std::erase_if(pending_, [nowMillis](const auto& entry) {
    return nowMillis - entry.second.createdMillis > kLifetimeMillis;
  });
}

std::string pkceChallenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string safeReturnPath(const std::string& path) {
  if (path.empty() || path.size() > 512 || path[0] != '/') return "/";
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) return "/";
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '\\') return "/";
  }
  return path;
}

}  // namespace parley::auth
