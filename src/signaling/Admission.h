#pragma once
// Who enters a meeting at once, who waits in its waiting room for a moderator, and who is
// refused. A pure rule, so every case can be tested and listed (docs/protocol.md):
//   hosts (the room's owner, a moderator token, a moderator promoted in this meeting)
//                          enter, even a locked room;
//   a locked room          refuses everyone else, waiting room included;
//   public                 everyone enters;
//   trusted                signed-in users enter, guests wait;
//   restricted             everyone waits.
#include <optional>
#include <string>
#include <string_view>

namespace parley::signaling {

enum class AccessLevel { Public, Trusted, Restricted };
std::optional<AccessLevel> parseAccessLevel(std::string_view name);
const char* accessLevelName(AccessLevel level);

// A signed-in user, as the identity provider names them.
struct Identity {
  std::string issuer, subject;
  std::string name;
};

enum class Admission { Enter, Wait, Refuse };

inline Admission admission(AccessLevel level, bool locked, bool signedIn, bool host) {
  if (host) return Admission::Enter;
  if (locked) return Admission::Refuse;
  switch (level) {
    case AccessLevel::Public: return Admission::Enter;
    case AccessLevel::Trusted: return signedIn ? Admission::Enter : Admission::Wait;
    case AccessLevel::Restricted: return Admission::Wait;
  }
  return Admission::Wait;
}

}  // namespace parley::signaling
