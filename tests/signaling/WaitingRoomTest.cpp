// Who enters, who waits and who is refused, and what moderators do about it: whole
// conversations through SignalingSession with a real (in-memory) SQLite store.
#include <gtest/gtest.h>

#include "common/Metrics.h"
#include "signaling/Admission.h"
#include "signaling/SessionHarness.h"
#include "store/SqliteRoomStore.h"

namespace parley::signaling {

namespace {

const Identity kAna{"https://idp.test", "ana", "Ana Martin"};
const Identity kBruno{"https://idp.test", "bruno", "Bruno Durand"};
const Identity kChloe{"https://idp.test", "chloe", "Chloé Petit"};

ConnectionInfo signedIn(const Identity& who, std::string address = "10.0.0.1") {
  return {"device-" + who.subject, std::move(address), who};
}
ConnectionInfo guest(std::string device, std::string address = "10.0.0.9") {
  return {std::move(device), std::move(address), std::nullopt};
}

class WaitingRoomTest : public ::testing::Test {
 protected:
  WaitingRoomTest() { rooms.setSignInEnabled(true); }
  // A room Ana owns, at `level`.
  std::string roomOwnedByAna(AccessLevel level) { return rooms.create("Weekly", kAna, level).record.id; }

  store::SqliteRoomStore store{":memory:"};
  RoomRegistry rooms{store};
};

}  // namespace

TEST(Admission, TheRuleForEveryCase) {
  using A = AccessLevel;
  // Hosts enter, even a locked room.
  for (A level : {A::Public, A::Trusted, A::Restricted}) {
    for (bool locked : {false, true}) {
      EXPECT_EQ(admission(level, locked, false, true), Admission::Enter);
      // Locked: nobody else, signed in or not.
      if (locked) {
        EXPECT_EQ(admission(level, true, true, false), Admission::Refuse);
        EXPECT_EQ(admission(level, true, false, false), Admission::Refuse);
      }
    }
  }
  EXPECT_EQ(admission(A::Public, false, false, false), Admission::Enter);
  EXPECT_EQ(admission(A::Trusted, false, true, false), Admission::Enter);
  EXPECT_EQ(admission(A::Trusted, false, false, false), Admission::Wait);
  EXPECT_EQ(admission(A::Restricted, false, true, false), Admission::Wait);
  EXPECT_EQ(admission(A::Restricted, false, false, false), Admission::Wait);
  EXPECT_EQ(parseAccessLevel("trusted"), A::Trusted);
  EXPECT_FALSE(parseAccessLevel("TRUSTED"));
}

TEST_F(WaitingRoomTest, InATrustedRoomAGuestWaitsAndEntersWhenAdmitted) {
  const auto id = roomOwnedByAna(AccessLevel::Trusted);
  Client ana(rooms, id, signedIn(kAna)), bruno(rooms, id, signedIn(kBruno)), visitor(rooms, id, guest("d1"));
  ana.join("typed by Ana");
  // The owner is a moderator without a token, under the identity provider's name.
  const auto you = ana.peer.ofType("welcome").at(0)["you"];
  EXPECT_EQ(you["name"], "Ana Martin");
  EXPECT_EQ(you["role"], "moderator");
  EXPECT_EQ(you["owner"], true);
  EXPECT_EQ(you["guest"], false);
  EXPECT_EQ(ana.peer.ofType("welcome").at(0)["room"]["access"], "trusted");

  bruno.join("Someone Else");  // signed in: enters, under his own name
  EXPECT_TRUE(bruno.session.joined());
  EXPECT_EQ(bruno.peer.ofType("welcome").at(0)["you"]["name"], "Bruno Durand");
  EXPECT_EQ(bruno.peer.ofType("welcome").at(0)["you"]["role"], "member");

  visitor.join("Victor");
  EXPECT_FALSE(visitor.session.joined());
  EXPECT_TRUE(visitor.session.waiting());
  const auto waiting = visitor.peer.last();
  EXPECT_EQ(waiting["type"], "waiting");
  EXPECT_EQ(waiting["room"]["name"], "Weekly");
  // Moderators see who waits; members do not.
  const auto list = ana.peer.ofType("waiting-list").back()["people"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "Victor");
  EXPECT_EQ(list[0]["guest"], true);
  EXPECT_EQ(list[0]["id"], visitor.id());
  EXPECT_TRUE(bruno.peer.ofType("waiting-list").empty());
  // Nothing but waiting until let in.
  visitor.say({{"type", "chat"}, {"text", "hello?"}});
  EXPECT_EQ(visitor.peer.last()["code"], "not-joined");

  // Only moderators let people in.
  bruno.say({{"type", "admit"}, {"id", visitor.id()}});
  EXPECT_EQ(bruno.peer.last()["code"], "forbidden");
  EXPECT_TRUE(visitor.session.waiting());

  ana.say({{"type", "admit"}, {"id", visitor.id()}});
  EXPECT_TRUE(visitor.session.joined());
  const auto welcome = visitor.peer.ofType("welcome").at(0);
  EXPECT_EQ(welcome["you"]["name"], "Victor");
  EXPECT_EQ(welcome["you"]["guest"], true);  // marked for everyone
  EXPECT_EQ(bruno.peer.ofType("participant-joined").back()["participant"]["guest"], true);
  EXPECT_TRUE(ana.peer.ofType("waiting-list").back()["people"].empty());

  // A guest's chat says so.
  visitor.say({{"type", "chat"}, {"text", "merci"}});
  EXPECT_EQ(bruno.peer.last()["message"]["guest"], true);
}

TEST_F(WaitingRoomTest, InARestrictedRoomEvenColleaguesWaitAndCanBeDenied) {
  const auto id = roomOwnedByAna(AccessLevel::Restricted);
  Client ana(rooms, id, signedIn(kAna)), bruno(rooms, id, signedIn(kBruno));
  bruno.join("Bruno");
  EXPECT_TRUE(bruno.session.waiting());  // nobody to admit him yet: he waits
  ana.join("Ana");
  // A moderator who arrives sees who is already waiting.
  ASSERT_EQ(ana.peer.ofType("waiting-list").size(), 1u);
  EXPECT_EQ(ana.peer.ofType("waiting-list")[0]["people"][0]["guest"], false);

  ana.say({{"type", "deny"}, {"id", bruno.id()}});
  EXPECT_EQ(bruno.peer.last(), json({{"type", "denied"}, {"reason", "denied"}, {"by", "Ana Martin"}}));
  EXPECT_TRUE(bruno.peer.closed);
  EXPECT_FALSE(bruno.session.waiting());
  EXPECT_FALSE(bruno.session.joined());
  ana.say({{"type", "deny"}, {"id", bruno.id()}});
  EXPECT_EQ(ana.peer.last()["code"], "not-found");
}

TEST_F(WaitingRoomTest, ALockedRoomRefusesNewcomersAndClearsItsWaitingRoom) {
  const auto id = roomOwnedByAna(AccessLevel::Trusted);
  Client ana(rooms, id, signedIn(kAna)), visitor(rooms, id, guest("d1"));
  ana.join("Ana");
  visitor.join("Victor");
  ASSERT_TRUE(visitor.session.waiting());
  ana.say({{"type", "room-settings"}, {"locked", true}});
  EXPECT_EQ(visitor.peer.last()["reason"], "locked");
  EXPECT_TRUE(visitor.peer.closed);
  EXPECT_EQ(ana.peer.ofType("room-settings").back()["room"]["locked"], true);
  EXPECT_EQ(ana.peer.ofType("moderation").back()["action"], "lock");

  Client bruno(rooms, id, signedIn(kBruno)), other(rooms, id, guest("d2"));
  bruno.join("Bruno");
  EXPECT_EQ(bruno.peer.last()["code"], "locked");
  other.join("Otto");
  EXPECT_EQ(other.peer.last()["code"], "locked");
  // The owner still enters (from another tab), and unlocking lets people in again.
  Client anaAgain(rooms, id, signedIn(kAna));
  anaAgain.join("Ana");
  EXPECT_TRUE(anaAgain.session.joined());
  ana.say({{"type", "room-settings"}, {"locked", false}});
  Client brunoAgain(rooms, id, signedIn(kBruno));
  brunoAgain.join("Bruno");
  EXPECT_TRUE(brunoAgain.session.joined());
}

TEST_F(WaitingRoomTest, ModeratorsChangeTheAccessLevelAndItIsKept) {
  const auto id = roomOwnedByAna(AccessLevel::Public);
  Client ana(rooms, id, signedIn(kAna)), bruno(rooms, id, signedIn(kBruno));
  ana.join("Ana");
  bruno.join("Bruno");
  bruno.say({{"type", "room-settings"}, {"access", "restricted"}});
  EXPECT_EQ(bruno.peer.last()["code"], "forbidden");
  ana.say({{"type", "room-settings"}, {"access", "restricted"}});
  EXPECT_EQ(bruno.peer.ofType("room-settings").back()["room"]["access"], "restricted");
  EXPECT_EQ(bruno.peer.ofType("moderation").back(),
            json({{"type", "moderation"}, {"action", "access"}, {"by", "Ana Martin"}, {"access", "restricted"}}));
  EXPECT_EQ(store.findRoom(id)->access, "restricted");
  ana.say({{"type", "room-settings"}, {"access", "everyone"}});
  EXPECT_EQ(ana.peer.last()["code"], "invalid");
}

TEST_F(WaitingRoomTest, OpeningTheRoomUpLetsInThoseWhoWouldNowEnterDirectly) {
  const auto id = roomOwnedByAna(AccessLevel::Restricted);
  Client ana(rooms, id, signedIn(kAna)), bruno(rooms, id, signedIn(kBruno)), visitor(rooms, id, guest("d1"));
  ana.join("Ana");
  bruno.join("Bruno");
  visitor.join("Victor");
  ASSERT_TRUE(bruno.session.waiting());
  ASSERT_TRUE(visitor.session.waiting());
  ana.say({{"type", "room-settings"}, {"access", "trusted"}});
  EXPECT_TRUE(bruno.session.joined());  // signed in: trusted lets him in
  EXPECT_TRUE(visitor.session.waiting());  // a guest still waits
  EXPECT_EQ(ana.peer.ofType("waiting-list").back()["people"].size(), 1u);
  ana.say({{"type", "room-settings"}, {"access", "public"}});
  EXPECT_TRUE(visitor.session.joined());
  EXPECT_TRUE(ana.peer.ofType("waiting-list").back()["people"].empty());
}

TEST_F(WaitingRoomTest, WaitingRequestsLapseAfterTenMinutes) {
  const auto id = roomOwnedByAna(AccessLevel::Trusted);
  Client visitor(rooms, id, guest("d1"));
  visitor.join("Victor");  // at 1 s, the test clock
  rooms.sweep(1000 + WaitingRoom::kExpiryMillis - 1);
  EXPECT_TRUE(visitor.session.waiting());
  rooms.sweep(1000 + WaitingRoom::kExpiryMillis);
  EXPECT_EQ(visitor.peer.last(), json({{"type", "denied"}, {"reason", "expired"}}));
  EXPECT_TRUE(visitor.peer.closed);
  EXPECT_FALSE(visitor.session.waiting());
}

TEST_F(WaitingRoomTest, TheWaitingRoomIsBoundedAndKnockingIsRateLimitedPerAddress) {
  const auto id = roomOwnedByAna(AccessLevel::Restricted);
  // One address: a few knocks, then rate-limited.
  std::vector<std::unique_ptr<Client>> flood;
  int waited = 0, limited = 0;
  for (int i = 0; i < 20; ++i) {
    flood.push_back(std::make_unique<Client>(rooms, id, guest("f" + std::to_string(i), "192.0.2.7")));
    flood.back()->join("Flood");
    if (flood.back()->session.waiting()) ++waited;
    if (flood.back()->peer.last()["code"] == "rate-limited") ++limited;
  }
  EXPECT_EQ(waited, 5);
  EXPECT_EQ(limited, 15);
  // Many addresses: the list holds kMaxWaiting, then "limit-reached".
  std::vector<std::unique_ptr<Client>> crowd;
  for (std::size_t i = 0; crowd.size() + waited < WaitingRoom::kMaxWaiting; ++i) {
    crowd.push_back(std::make_unique<Client>(rooms, id, guest("c" + std::to_string(i), "198.51.100." + std::to_string(i))));
    crowd.back()->join("Crowd");
    ASSERT_TRUE(crowd.back()->session.waiting());
  }
  Client late(rooms, id, guest("late", "203.0.113.1"));
  late.join("Late");
  EXPECT_EQ(late.peer.last()["code"], "limit-reached");
  // Someone who gives up leaves the list, and moderators see it.
  Client ana(rooms, id, signedIn(kAna));
  ana.join("Ana");
  EXPECT_EQ(ana.peer.ofType("waiting-list").back()["people"].size(), WaitingRoom::kMaxWaiting);
  crowd.front()->session.onClosed("closed", 2000);
  EXPECT_EQ(ana.peer.ofType("waiting-list").back()["people"].size(), WaitingRoom::kMaxWaiting - 1);
  // Admit all lets everyone in.
  ana.say({{"type", "admit"}, {"all", true}});
  EXPECT_TRUE(crowd.back()->session.joined());
  EXPECT_TRUE(flood.front()->session.joined());
  EXPECT_TRUE(ana.peer.ofType("waiting-list").back()["people"].empty());
}

TEST_F(WaitingRoomTest, PromotedModeratorsModerateAndTheOwnerCannotBeDemoted) {
  const auto id = roomOwnedByAna(AccessLevel::Public);
  Client ana(rooms, id, signedIn(kAna)), bruno(rooms, id, signedIn(kBruno)), visitor(rooms, id, guest("d1"));
  ana.join("Ana");
  bruno.join("Bruno");
  visitor.join("Victor");
  bruno.say({{"type", "moderate"}, {"action", "mute-all"}});
  EXPECT_EQ(bruno.peer.last()["code"], "forbidden");

  ana.say({{"type", "moderate"}, {"action", "promote"}, {"target", visitor.id()}});
  EXPECT_EQ(ana.peer.last()["code"], "invalid");  // a guest cannot moderate
  ana.say({{"type", "moderate"}, {"action", "promote"}, {"target", bruno.id()}});
  EXPECT_EQ(visitor.peer.ofType("participant-updated").back()["participant"]["role"], "moderator");
  EXPECT_EQ(visitor.peer.last(),
            json({{"type", "moderation"}, {"action", "promote"}, {"by", "Ana Martin"}, {"target", "Bruno Durand"}}));

  // Bruno mutes everyone: all but himself are told, and the room hears who did it.
  bruno.say({{"type", "moderate"}, {"action", "mute-all"}});
  EXPECT_EQ(ana.peer.ofType("muted").size(), 1u);
  EXPECT_EQ(visitor.peer.ofType("muted").size(), 1u);
  EXPECT_TRUE(bruno.peer.ofType("muted").empty());
  EXPECT_EQ(visitor.peer.last(), json({{"type", "moderation"}, {"action", "mute-all"}, {"by", "Bruno Durand"}}));

  visitor.say({{"type", "hand"}, {"raised", true}});
  bruno.say({{"type", "moderate"}, {"action", "lower-hands"}});
  EXPECT_EQ(visitor.peer.ofType("participant-updated").back()["participant"]["hand_raised"], false);

  bruno.say({{"type", "moderate"}, {"action", "demote"}, {"target", ana.id()}});
  EXPECT_EQ(bruno.peer.last()["code"], "forbidden");
  ana.say({{"type", "moderate"}, {"action", "remove"}, {"target", ana.id()}});
  EXPECT_EQ(ana.peer.last()["code"], "invalid");
  ana.say({{"type", "moderate"}, {"action", "demote"}, {"target", bruno.id()}});
  bruno.say({{"type", "moderate"}, {"action", "mute-all"}});
  EXPECT_EQ(bruno.peer.last()["code"], "forbidden");
}

TEST_F(WaitingRoomTest, APromotionHoldsWhenThePersonComesBack) {
  const auto id = roomOwnedByAna(AccessLevel::Restricted);
  Client ana(rooms, id, signedIn(kAna)), bruno(rooms, id, signedIn(kBruno));
  ana.join("Ana");
  bruno.join("Bruno");
  ana.say({{"type", "admit"}, {"id", bruno.id()}});
  ana.say({{"type", "moderate"}, {"action", "promote"}, {"target", bruno.id()}});
  bruno.say({{"type", "leave"}});
  Client brunoAgain(rooms, id, signedIn(kBruno));
  brunoAgain.join("Bruno");
  EXPECT_TRUE(brunoAgain.session.joined());  // a moderator: no waiting
  EXPECT_EQ(brunoAgain.peer.ofType("welcome").at(0)["you"]["role"], "moderator");
}

TEST_F(WaitingRoomTest, ARemovedUserStaysOutFromAnotherBrowser) {
  const auto id = roomOwnedByAna(AccessLevel::Public);
  Client ana(rooms, id, signedIn(kAna)), chloe(rooms, id, signedIn(kChloe));
  ana.join("Ana");
  chloe.join("Chloé");
  ana.say({{"type", "moderate"}, {"action", "remove"}, {"target", chloe.id()}});
  ConnectionInfo otherBrowser = signedIn(kChloe);
  otherBrowser.device = "another-browser";
  Client chloeAgain(rooms, id, otherBrowser);
  chloeAgain.join("Chloé");
  EXPECT_EQ(chloeAgain.peer.last()["code"], "forbidden");
}

TEST_F(WaitingRoomTest, EndingTheMeetingSendsEveryoneAway) {
  const auto id = roomOwnedByAna(AccessLevel::Trusted);
  Client ana(rooms, id, signedIn(kAna)), bruno(rooms, id, signedIn(kBruno)), visitor(rooms, id, guest("d1"));
  ana.join("Ana");
  bruno.join("Bruno");
  visitor.join("Victor");
  ASSERT_TRUE(visitor.session.waiting());
  bruno.say({{"type", "moderate"}, {"action", "end"}});
  EXPECT_EQ(bruno.peer.last()["code"], "forbidden");
  ana.say({{"type", "moderate"}, {"action", "end"}});
  EXPECT_EQ(bruno.peer.last(), json({{"type", "ended"}, {"by", "Ana Martin"}}));
  EXPECT_TRUE(bruno.peer.closed);
  EXPECT_TRUE(ana.peer.closed);
  EXPECT_EQ(visitor.peer.last()["reason"], "ended");
  EXPECT_TRUE(visitor.peer.closed);
  EXPECT_FALSE(bruno.session.joined());
  EXPECT_EQ(store.sessions(id).back().leaveReason, "ended");
}

TEST_F(WaitingRoomTest, AGuestsWordsAreMarkedInTheTranscriptAfterTheyLeft) {
  const auto id = roomOwnedByAna(AccessLevel::Public);
  Client visitor(rooms, id, guest("d1")), ana(rooms, id, signedIn(kAna));
  visitor.join("Victor");
  ana.join("Ana");
  const auto visitorId = visitor.id(), anaId = ana.id();
  visitor.say({{"type", "leave"}});
  ana.say({{"type", "leave"}});
  const auto transcription = store.startTranscription(id, 1000);
  for (const auto& speaker : {visitorId, anaId}) {
    transcribe::LiveSegment segment;
    segment.track = speaker;
    segment.start = 1;
    segment.end = 2;
    segment.text = "bonjour";
    rooms.deliverSegment(id, transcription, segment);
  }
  const auto segments = store.transcriptSegments(transcription);
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0].name, "Victor");
  EXPECT_TRUE(segments[0].guest);
  EXPECT_EQ(segments[1].name, "Ana Martin");
  EXPECT_FALSE(segments[1].guest);
}

TEST_F(WaitingRoomTest, WithoutSignInNobodyIsMarkedAGuest) {
  rooms.setSignInEnabled(false);
  const auto id = rooms.create("Open").record.id;
  Client ana(rooms, id), bruno(rooms, id);
  ana.join("Ana");
  bruno.join("Bruno");
  EXPECT_EQ(bruno.peer.ofType("welcome").at(0)["you"]["guest"], false);
  EXPECT_EQ(bruno.peer.ofType("welcome").at(0)["room"]["access"], "public");
}

// A node of a cluster that finds another node is now the room's home lets everyone go, in
// the room or at its door, without a goodbye: their clients reconnect and are placed there.
TEST_F(WaitingRoomTest, AHandedOverRoomLetsEveryoneGoWithoutAGoodbye) {
  const auto id = roomOwnedByAna(AccessLevel::Trusted);
  Client ana(rooms, id, signedIn(kAna)), bruno(rooms, id, signedIn(kBruno)), chloe(rooms, id, signedIn(kChloe)),
      visitor(rooms, id, guest("d1"));
  ana.join("Ana");
  bruno.join("Bruno");
  chloe.join("Chloé");
  visitor.join("Visiteur");
  ASSERT_TRUE(visitor.session.waiting());
  chloe.session.onClosed("timeout", 2000);  // away, within her resume window
  const auto handedBefore = metrics().participantsHandedOver.load();
  const auto anaFrames = ana.peer.frames.size(), brunoFrames = bruno.peer.frames.size();

  EXPECT_TRUE(rooms.handOver(id, 3000));
  for (const auto* client : {&ana, &bruno, &visitor}) EXPECT_TRUE(client->peer.closed);
  // Nothing said: no 'ended' (the client would not come back), nobody seen leaving.
  EXPECT_EQ(ana.peer.frames.size(), anaFrames);
  EXPECT_EQ(bruno.peer.frames.size(), brunoFrames);
  EXPECT_TRUE(visitor.peer.ofType("denied").empty());
  EXPECT_EQ(metrics().participantsHandedOver.load(), handedBefore + 4);
  EXPECT_FALSE(rooms.active(id)) << "released: the room lives at its home now";
  for (const auto& session : store.sessions(id)) {
    EXPECT_EQ(session.leftAt, 3000) << session.name;
    EXPECT_EQ(session.leaveReason, "moved") << session.name;
  }
  // Their connections' ends, when they come, change nothing.
  ana.session.onClosed("closed", 3100);
  visitor.session.onClosed("closed", 3100);
  EXPECT_FALSE(rooms.active(id));
  EXPECT_FALSE(rooms.handOver(id, 3200)) << "nothing live to hand over";
}

}  // namespace parley::signaling
