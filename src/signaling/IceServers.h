#pragma once
// The TURN relays a participant may use, with credentials of their own. coturn checks them
// with `use-auth-secret` (the "TURN REST API" scheme): the username is `EXPIRY:PARTICIPANT`
// (EXPIRY in Unix seconds) and the password base64(HMAC-SHA1(secret, username)), so the
// relay needs no list of users and a credential dies by itself at EXPIRY.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::signaling {

// One relay URL as RFC 7065 writes it: turn:HOST[:PORT][?transport=udp|tcp] or turns:...
// Returns an explanation when `url` is not one.
std::optional<std::string> turnUrlError(const std::string& url);

struct IceServerSettings {
  std::vector<std::string> turnUrls;  // checked with turnUrlError
  std::string turnSecret;             // coturn's static-auth-secret
  std::chrono::seconds ttl{12 * 3600};
  bool enabled() const { return !turnUrls.empty() && !turnSecret.empty(); }
};

struct TurnCredential {
  std::string username;
  std::string password;
};

// The credential `participantId` may use until `nowSeconds + ttl`.
TurnCredential turnCredential(const IceServerSettings& settings, const std::string& participantId,
                              std::int64_t nowSeconds);

}  // namespace parley::signaling
