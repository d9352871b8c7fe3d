#pragma once
// The people waiting at a room's door for a moderator to let them in (signaling::Room owns
// one). Bounded: at most kMaxWaiting at once, and each request lapses after kExpiryMillis.
// Each waiting person is addressed by the participant id they will have once admitted, so
// their connection needs no word from the room to know who it is. Control thread only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "signaling/Protocol.h"
#include "signaling/SignalingPeer.h"

namespace parley::signaling {

// Someone asking to enter: what they would be in the room.
struct Newcomer {
  std::string name;  // validated; a signed-in user's is their identity provider's
  Role role = Role::Member;
  bool guest = false;  // not signed in, on a server where people sign in
  std::string device;  // the browser's cookie, so a removal holds for the meeting
  std::optional<Identity> identity;  // signed in
};

class WaitingRoom {
 public:
  static constexpr std::size_t kMaxWaiting = 50;
  static constexpr std::int64_t kExpiryMillis = 10 * 60 * 1000;

  struct Person {
    std::string id;
    Newcomer who;
    SignalingPeer* peer;  // its connection; the person leaves the list before it goes
    std::int64_t since = 0;
  };

  ~WaitingRoom();
  bool full() const { return people_.size() >= kMaxWaiting; }
  bool empty() const { return people_.empty(); }
  std::size_t size() const { return people_.size(); }
  bool contains(const std::string& id) const;

  // False if the list is full.
  bool add(Person person);
  std::optional<Person> take(const std::string& id);
  std::vector<Person> takeAll();
  // Those waiting since `now - kExpiryMillis` or earlier.
  std::vector<Person> takeExpired(std::int64_t now);
  // The list as moderators see it, oldest first.
  std::vector<WaitingView> views() const;

 private:
  std::vector<Person> people_;  // oldest first
};

}  // namespace parley::signaling
