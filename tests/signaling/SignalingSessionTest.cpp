// Drives whole conversations through SignalingSession with a real (in-memory) SQLite store
// and peers that record what the server sends them.
#include "signaling/SignalingSession.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/Metrics.h"
#include "signaling/SessionHarness.h"
#include "store/SqliteRoomStore.h"

namespace parley::signaling {

using nlohmann::json;

namespace {

class SignalingSessionTest : public ::testing::Test {
 protected:
  store::SqliteRoomStore store{":memory:"};
  RoomRegistry rooms{store};
  RoomRegistry::CreatedRoom room = rooms.create("Weekly");
};

}  // namespace

TEST_F(SignalingSessionTest, WelcomeHandsEachParticipantItsOwnTurnCredential) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  EXPECT_TRUE(ana.peer.ofType("welcome")[0]["ice_servers"].empty());  // no relay configured

  rooms.setIceServers({{"turn:10.0.0.1:3478?transport=udp", "turns:10.0.0.1:443?transport=tcp"},
                       "north-wind-and-sun-42", std::chrono::seconds(3600)});
  bruno.join("Bruno");
  const auto servers = bruno.peer.ofType("welcome")[0]["ice_servers"];
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0]["urls"].size(), 2u);
  EXPECT_EQ(servers[0]["urls"][1], "turns:10.0.0.1:443?transport=tcp");
  // Joined at 1 s (the test clock): valid for the hour after, named after the participant.
  EXPECT_EQ(servers[0]["username"], "3601:" + bruno.id());
  EXPECT_EQ(servers[0]["credential"].get<std::string>().size(), 28u);  // base64 of a SHA-1
}

TEST_F(SignalingSessionTest, JoinSendsWelcomeAndAnnouncesToOthers) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  ASSERT_EQ(ana.peer.ofType("welcome").size(), 1u);
  const auto welcome = ana.peer.ofType("welcome")[0];
  EXPECT_EQ(welcome["room"]["name"], "Weekly");
  EXPECT_EQ(welcome["you"]["name"], "Ana");
  EXPECT_EQ(welcome["you"]["role"], "member");
  EXPECT_EQ(welcome["participants"].size(), 1u);

  bruno.join("Bruno");
  EXPECT_EQ(bruno.peer.ofType("welcome")[0]["participants"].size(), 2u);
  const auto joined = ana.peer.ofType("participant-joined");
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0]["participant"]["name"], "Bruno");
  EXPECT_EQ(rooms.active(room.record.id)->size(), 2u);
}

TEST_F(SignalingSessionTest, ModeratorTokenGivesModeratorRole) {
  Client mod(rooms, room.record.id), eve(rooms, room.record.id);
  mod.join("Mod", room.moderatorToken);
  EXPECT_EQ(mod.peer.ofType("welcome")[0]["you"]["role"], "moderator");
  eve.join("Eve", "guessed-token");
  EXPECT_EQ(eve.peer.last()["code"], "forbidden");
  EXPECT_FALSE(eve.session.joined());
}

TEST_F(SignalingSessionTest, ChatReachesEveryoneAndIsKeptForLaterJoiners) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  ana.say({{"type", "chat"}, {"text", "Bonjour à tous"}});
  ASSERT_EQ(bruno.peer.ofType("chat").size(), 1u);
  EXPECT_EQ(bruno.peer.ofType("chat")[0]["message"]["text"], "Bonjour à tous");
  EXPECT_EQ(bruno.peer.ofType("chat")[0]["message"]["name"], "Ana");
  EXPECT_EQ(ana.peer.ofType("chat").size(), 1u);  // the sender sees its own message, with its id

  Client late(rooms, room.record.id);
  late.join("Late");
  const auto history = late.peer.ofType("welcome")[0]["chat"];
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["text"], "Bonjour à tous");
}

TEST_F(SignalingSessionTest, HandMuteAndReactionsAreBroadcast) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  ana.say({{"type", "hand"}, {"raised", true}});
  EXPECT_EQ(bruno.peer.last()["participant"]["hand_raised"], true);
  // When it went up: moderators answer hands in that order.
  EXPECT_TRUE(bruno.peer.last()["participant"]["hand_raised_at"].is_string());
  ana.say({{"type", "media-state"}, {"audio_muted", true}});
  EXPECT_EQ(bruno.peer.last()["participant"]["audio_muted"], true);
  EXPECT_EQ(bruno.peer.last()["participant"]["hand_raised"], true);
  ana.say({{"type", "hand"}, {"raised", false}});
  EXPECT_TRUE(bruno.peer.last()["participant"]["hand_raised_at"].is_null());
  ana.say({{"type", "reaction"}, {"reaction", "heart"}});
  EXPECT_EQ(bruno.peer.last()["type"], "reaction");
  EXPECT_EQ(bruno.peer.last()["from"], ana.id());
}

TEST_F(SignalingSessionTest, OnlyModeratorsMuteAndRemove) {
  Client mod(rooms, room.record.id), ana(rooms, room.record.id), bruno(rooms, room.record.id);
  mod.join("Mod", room.moderatorToken);
  ana.join("Ana");
  bruno.join("Bruno");

  ana.say({{"type", "moderate"}, {"action", "remove"}, {"target", bruno.id()}});
  EXPECT_EQ(ana.peer.last()["code"], "forbidden");
  EXPECT_TRUE(bruno.session.joined());

  mod.say({{"type", "moderate"}, {"action", "mute"}, {"target", ana.id()}});
  EXPECT_EQ(ana.peer.ofType("muted").size(), 1u);
  EXPECT_EQ(bruno.peer.ofType("participant-updated").back()["participant"]["audio_muted"], true);
  // Everyone is told who did it.
  EXPECT_EQ(bruno.peer.last(), json({{"type", "moderation"}, {"action", "mute"}, {"by", "Mod"}, {"target", "Ana"}}));

  mod.say({{"type", "moderate"}, {"action", "remove"}, {"target", bruno.id()}});
  EXPECT_EQ(bruno.peer.ofType("removed").size(), 1u);
  EXPECT_TRUE(bruno.peer.closed);
  EXPECT_FALSE(bruno.session.joined());
  EXPECT_EQ(ana.peer.ofType("participant-left").back()["reason"], "removed");
  EXPECT_EQ(ana.peer.last(), json({{"type", "moderation"}, {"action", "remove"}, {"by", "Mod"}, {"target", "Bruno"}}));

  mod.say({{"type", "moderate"}, {"action", "mute"}, {"target", "nobody"}});
  EXPECT_EQ(mod.peer.last()["code"], "not-found");
}

TEST_F(SignalingSessionTest, ABrokenConnectionIsKeptForItsReturnThenLeavesAndIsRecorded) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  const auto seen = ana.peer.frames.size();
  bruno.session.onClosed("timeout", 5000);
  rooms.sweep(5000 + kResumeWindowMillis - 1);
  EXPECT_EQ(ana.peer.frames.size(), seen) << "within the window, the others see nothing";
  EXPECT_EQ(rooms.active(room.record.id)->size(), 2u);
  ana.say({{"type", "chat"}, {"text", "still there?"}}, 6000);  // nothing is sent to the away one
  EXPECT_TRUE(bruno.peer.ofType("chat").empty());

  rooms.sweep(5000 + kResumeWindowMillis);
  EXPECT_EQ(ana.peer.last()["type"], "participant-left");
  EXPECT_EQ(ana.peer.last()["reason"], "timeout");
  const auto sessions = store.sessions(room.record.id);
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[1].leftAt, 5000 + kResumeWindowMillis);
  EXPECT_EQ(sessions[1].leaveReason, "timeout");
}

TEST_F(SignalingSessionTest, AClosedConnectionLeavesAtOnce) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  bruno.session.onClosed("closed", 5000);
  EXPECT_EQ(ana.peer.last()["type"], "participant-left");
  EXPECT_EQ(ana.peer.last()["reason"], "disconnected");
  ana.session.onClosed("closed", 6000);
  EXPECT_FALSE(rooms.active(room.record.id));  // an empty room is released
  EXPECT_TRUE(rooms.find(room.record.id));     // but still exists
}

TEST_F(SignalingSessionTest, AClientComesBackAsItselfWithItsResumeToken) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  const std::string brunoId = bruno.id();
  const std::string token = bruno.peer.ofType("welcome")[0]["resume_token"];
  ASSERT_GE(token.size(), 24u);
  bruno.session.onClosed("disconnected", 5000);
  const auto seen = ana.peer.frames.size();

  // A wrong token is an ordinary join: someone new.
  Client stranger(rooms, room.record.id);
  stranger.say({{"type", "join"}, {"version", 1}, {"name", "Eve"}, {"resume", token + "x"}}, 6000);
  EXPECT_NE(stranger.id(), brunoId);
  EXPECT_EQ(ana.peer.last()["type"], "participant-joined");
  stranger.session.onClosed("closed", 6500);

  // Bruno's new connection, with the token: the same participant, and the others see no
  // leave and no join.
  const auto beforeReturn = ana.peer.frames.size();
  Client back(rooms, room.record.id);
  back.say({{"type", "join"}, {"version", 1}, {"name", "Bruno"}, {"resume", token}}, 7000);
  EXPECT_EQ(back.id(), brunoId);
  ASSERT_EQ(back.peer.ofType("welcome").size(), 1u);
  EXPECT_EQ(back.peer.ofType("welcome")[0]["you"]["id"], brunoId);
  EXPECT_EQ(back.peer.ofType("welcome")[0]["participants"].size(), 2u);
  EXPECT_EQ(ana.peer.frames.size(), beforeReturn);
  EXPECT_GT(beforeReturn, seen);  // (the stranger's join and leave, not Bruno's)
  rooms.sweep(5000 + kResumeWindowMillis + 1000);
  EXPECT_EQ(rooms.active(room.record.id)->size(), 2u) << "back in time: no timeout";
  ana.say({{"type", "chat"}, {"text", "welcome back"}}, 8000);
  EXPECT_EQ(back.peer.ofType("chat").size(), 1u);

  // Coming back while the old connection still seems alive: the new one takes over.
  Client again(rooms, room.record.id);
  again.say({{"type", "join"}, {"version", 1}, {"name", "Bruno"}, {"resume", token}}, 9000);
  EXPECT_EQ(again.id(), brunoId);
  EXPECT_TRUE(back.peer.closed);
  back.session.onClosed("disconnected", 9100);  // the old one's end changes nothing
  rooms.sweep(9100 + kResumeWindowMillis + 1000);
  EXPECT_EQ(rooms.active(room.record.id)->size(), 2u);
}

TEST_F(SignalingSessionTest, PastTheWindowATokenJoinsAsSomeoneNew) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  const std::string token = bruno.peer.ofType("welcome")[0]["resume_token"];
  bruno.session.onClosed("timeout", 5000);
  rooms.sweep(5000 + kResumeWindowMillis);
  Client late(rooms, room.record.id);
  late.say({{"type", "join"}, {"version", 1}, {"name", "Bruno"}, {"resume", token}}, 30000);
  EXPECT_FALSE(late.id().empty());
  EXPECT_NE(late.id(), bruno.id());
  EXPECT_EQ(ana.peer.last()["type"], "participant-joined");
}

TEST_F(SignalingSessionTest, BadFramesGetErrorsAndDoNotDisturbOthers) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  const auto before = ana.peer.frames.size();
  bruno.session.onFrame("not json", 1000);
  EXPECT_EQ(bruno.peer.last()["code"], "malformed");
  bruno.say({{"type", "nonsense"}});
  EXPECT_EQ(bruno.peer.last()["code"], "unknown-type");
  bruno.say({{"type", "chat"}, {"text", std::string(2001, 'x')}});
  EXPECT_EQ(bruno.peer.last()["code"], "invalid");
  bruno.session.onOversizedFrame();
  EXPECT_EQ(bruno.peer.last()["code"], "too-large");
  EXPECT_EQ(ana.peer.frames.size(), before);
  EXPECT_TRUE(bruno.session.joined());
  bruno.say({{"type", "chat"}, {"text", "still works"}});
  EXPECT_EQ(ana.peer.last()["message"]["text"], "still works");
}

TEST_F(SignalingSessionTest, MessagesBeforeJoinAreRefused) {
  Client ana(rooms, room.record.id);
  ana.say({{"type", "chat"}, {"text", "hello"}});
  EXPECT_EQ(ana.peer.last()["code"], "not-joined");
  ana.say({{"type", "ping"}});
  EXPECT_EQ(ana.peer.last()["type"], "pong");
}

TEST_F(SignalingSessionTest, FloodIsRateLimited) {
  Client ana(rooms, room.record.id);
  ana.join("Ana");
  int limited = 0;
  for (int i = 0; i < 200; ++i) {
    ana.say({{"type", "ping"}}, 2000);  // all in the same millisecond
    if (ana.peer.last()["type"] == "error" && ana.peer.last()["code"] == "rate-limited") ++limited;
  }
  EXPECT_GT(limited, 150);
  ana.say({{"type", "ping"}}, 4000);  // two seconds later the bucket has refilled
  EXPECT_EQ(ana.peer.last()["type"], "pong");
}

TEST_F(SignalingSessionTest, UnknownRoomIsRefusedAndClosed) {
  Client ghost(rooms, "zzz-zzzz-zzz");
  ghost.join("Ghost");
  EXPECT_EQ(ghost.peer.last()["code"], "not-found");
  EXPECT_TRUE(ghost.peer.closed);
}

TEST_F(SignalingSessionTest, SecondJoinOnOneConnectionIsRefused) {
  Client ana(rooms, room.record.id);
  ana.join("Ana");
  ana.join("Ana again");
  EXPECT_EQ(ana.peer.last()["code"], "already-joined");
  EXPECT_EQ(rooms.active(room.record.id)->size(), 1u);
}

TEST_F(SignalingSessionTest, RoomsSurviveInTheStore) {
  const auto created = rooms.create("Persisted");
  RoomRegistry fresh(store);  // as after a restart with the same database
  const auto found = fresh.find(created.record.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "Persisted");
  EXPECT_TRUE(RoomRegistry::isModeratorToken(*found, created.moderatorToken));
  EXPECT_FALSE(RoomRegistry::isModeratorToken(*found, ""));
  EXPECT_NE(found->moderatorTokenSha256, created.moderatorToken);  // only the hash is stored
}

// The 101st person is told the meeting is full; nobody else hears of it.
TEST_F(SignalingSessionTest, TheHundredAndFirstIsToldTheRoomIsFull) {
  std::vector<std::unique_ptr<Client>> clients;
  for (std::size_t i = 0; i < kMaxParticipantsPerRoom; ++i) {
    clients.push_back(std::make_unique<Client>(rooms, room.record.id));
    clients.back()->join("P" + std::to_string(i));
    ASSERT_EQ(clients.back()->peer.ofType("welcome").size(), 1u) << i;
  }
  Client late(rooms, room.record.id);
  late.join("Late");
  EXPECT_EQ(late.peer.last()["code"], "room-full");
  EXPECT_FALSE(late.session.joined());
  EXPECT_EQ(rooms.active(room.record.id)->size(), kMaxParticipantsPerRoom);
}

// What the media plane says reaches the participant it is about: a refused offer as
// media-error; a transport that lost ICE consent ends the participant (media-timeout).
TEST_F(SignalingSessionTest, MediaErrorsAndTimeoutsReachTheParticipant) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  auto live = rooms.active(room.record.id);
  live->onMediaEvent({sfu::MediaEvent::Type::Error, room.record.id, ana.id(), {}, {}, "bad offer: no media", {}, {}}, 2000);
  EXPECT_EQ(ana.peer.last()["type"], "media-error");
  EXPECT_EQ(ana.peer.last()["message"], "bad offer: no media");
  EXPECT_TRUE(bruno.peer.ofType("media-error").empty());
  live->onMediaEvent({sfu::MediaEvent::Type::TransportClosed, room.record.id, bruno.id(), {}, {},
                      "receiving transport closed: ICE consent expired", {}, {}},
                     3000);
  EXPECT_EQ(bruno.peer.ofType("media-error").size(), 1u);
  EXPECT_TRUE(bruno.peer.closed);
  const auto left = ana.peer.ofType("participant-left");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["reason"], "media-timeout");
  // Events about someone who already left are dropped.
  live->onMediaEvent({sfu::MediaEvent::Type::Error, room.record.id, bruno.id(), {}, {}, "late", {}, {}}, 4000);
  EXPECT_EQ(bruno.peer.ofType("media-error").size(), 1u);
}

TEST_F(SignalingSessionTest, MalformedPublishAndAnswersAreRefusedAndLeaveEndsTheConnection) {
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  const auto isError = [&](const char* code) { return ana.peer.last()["type"] == "error" && ana.peer.last()["code"] == code; };
  ana.say({{"type", "publish"}});
  EXPECT_TRUE(isError("malformed"));
  ana.say({{"type", "publish"}, {"sdp", ""}});
  EXPECT_TRUE(isError("malformed"));
  ana.say({{"type", "publish"}, {"sdp", "v=0"}, {"sources", {{"0", "hologram"}}}});
  EXPECT_TRUE(isError("invalid"));
  ana.say({{"type", "publish"}, {"sdp", "v=0"}, {"sources", "camera"}});
  EXPECT_TRUE(isError("malformed"));
  ana.say({{"type", "subscribe-answer"}, {"sdp", 42}});
  EXPECT_TRUE(isError("malformed"));
  ana.say({{"type", "chat-history"}, {"before", "yesterday"}});
  EXPECT_TRUE(isError("malformed"));
  ana.say({{"type", "leave"}});
  EXPECT_TRUE(ana.peer.closed);
  EXPECT_FALSE(ana.session.joined());
  const auto left = bruno.peer.ofType("participant-left");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["reason"], "left");
}

// A meeting's chat stops at its bound, with a clear error; the others see nothing of it.
TEST_F(SignalingSessionTest, ChatStopsAtTheMeetingsBound) {
  for (std::int64_t i = 0; i < kMaxChatMessagesPerRoom; ++i) store.addChat(room.record.id, "p", "Old", false, "x", i);
  Client ana(rooms, room.record.id), bruno(rooms, room.record.id);
  ana.join("Ana");
  bruno.join("Bruno");
  const auto welcome = bruno.peer.ofType("welcome")[0];
  EXPECT_EQ(welcome["chat"].size(), static_cast<std::size_t>(kChatMessagesPerPage));
  EXPECT_EQ(welcome["chat_more"], true);
  ana.say({{"type", "chat"}, {"text", "one more"}});
  EXPECT_EQ(ana.peer.last()["code"], "limit-reached");
  EXPECT_TRUE(bruno.peer.ofType("chat").empty());
  // Older pages come on request, oldest first, before the id asked.
  bruno.say({{"type", "chat-history"}, {"before", welcome["chat"][0]["id"]}});
  const auto page = bruno.peer.last();
  ASSERT_EQ(page["type"], "chat-history");
  EXPECT_EQ(page["messages"].size(), static_cast<std::size_t>(kChatMessagesPerPage));
  EXPECT_LT(page["messages"].back()["id"].get<std::int64_t>(), welcome["chat"][0]["id"].get<std::int64_t>());
}

}  // namespace parley::signaling
