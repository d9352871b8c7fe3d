#include "store/StoreContract.h"

#include <gtest/gtest.h>

// What every store must do, whatever keeps it: each backend's test file instantiates these
// (SqliteRoomStoreTest.cpp always; PostgresStoreTest.cpp against a real PostgreSQL).
namespace parley::store {

TEST_P(StoreContract, CreatesAndFindsRooms) {
  auto opened = GetParam().open();
  Store& store = *opened;
  EXPECT_TRUE(store.createRoom(roomRecord("abc-defg-hij", "Weekly", "hash", 1000)));
  EXPECT_FALSE(store.createRoom(roomRecord("abc-defg-hij", "Other", "hash2", 2000)));
  const auto room = store.findRoom("abc-defg-hij");
  ASSERT_TRUE(room);
  EXPECT_EQ(room->name, "Weekly");
  EXPECT_EQ(room->moderatorTokenSha256, "hash");
  EXPECT_EQ(room->createdAt, 1000);
  EXPECT_FALSE(store.findRoom("zzz-zzzz-zzz"));
}

TEST_P(StoreContract, KeepsOwnersAndAccessLevels) {
  auto opened = GetParam().open();
  Store& store = *opened;
  RoomRecord anonymous = roomRecord("aaa-aaaa-aaa", "Open", "h", 1);
  RoomRecord first{"bbb-bbbb-bbb", "First", "h", 2, "https://idp", "ana", "trusted"};
  RoomRecord second{"ccc-cccc-ccc", "Second", "h", 3, "https://idp", "ana", "restricted"};
  RoomRecord otherIssuer{"ddd-dddd-ddd", "Elsewhere", "h", 4, "https://other", "ana", "public"};
  for (const auto& room : {anonymous, first, second, otherIssuer}) ASSERT_TRUE(store.createRoom(room));
  EXPECT_EQ(store.findRoom("aaa-aaaa-aaa")->access, "public");
  EXPECT_EQ(store.findRoom("aaa-aaaa-aaa")->ownerSubject, "");
  const auto owned = store.roomsOwnedBy("https://idp", "ana", 10);
  ASSERT_EQ(owned.size(), 2u);
  EXPECT_EQ(owned[0].id, "ccc-cccc-ccc");  // newest first
  EXPECT_EQ(owned[1].access, "trusted");
  EXPECT_EQ(store.roomsOwnedBy("https://idp", "ana", 1).size(), 1u);
  EXPECT_TRUE(store.roomsOwnedBy("", "", 10).empty());  // rooms without owner belong to nobody
  store.setRoomAccess("bbb-bbbb-bbb", "public");
  EXPECT_EQ(store.findRoom("bbb-bbbb-bbb")->access, "public");
}

TEST_P(StoreContract, KeepsWhoWasAGuest) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  store.addChat("abc-defg-hij", "p1", "Ana", false, "signed in", 1);
  store.addChat("abc-defg-hij", "p2", "Bruno", true, "a guest", 2);
  const auto chat = store.chatHistory("abc-defg-hij", 10);
  EXPECT_FALSE(chat.at(0).guest);
  EXPECT_TRUE(chat.at(1).guest);
  const auto transcription = store.startTranscription("abc-defg-hij", 5);
  store.addTranscriptSegment(transcription, {0, 1000, "p2", "Bruno", "bonjour", true});
  EXPECT_TRUE(store.transcriptSegments(transcription).at(0).guest);
}

TEST_P(StoreContract, KeepsJoinLeaveHistory) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  const auto a = store.recordJoin("abc-defg-hij", "p1", "Ana", "moderator", false, 10);
  store.recordJoin("abc-defg-hij", "p2", "Bruno", "member", true, 20);
  store.recordLeave(a, 30, "left");
  const auto sessions = store.sessions("abc-defg-hij");
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].name, "Ana");
  EXPECT_EQ(sessions[0].leftAt, 30);
  EXPECT_EQ(sessions[0].leaveReason, "left");
  EXPECT_FALSE(sessions[1].leftAt);
  EXPECT_EQ(store.participantName("abc-defg-hij", "p2")->name, "Bruno");
  EXPECT_TRUE(store.participantName("abc-defg-hij", "p2")->guest);
  EXPECT_FALSE(store.participantName("abc-defg-hij", "p1")->guest);
  EXPECT_EQ(store.closeOpenSessions(40), 1);
  EXPECT_EQ(store.sessions("abc-defg-hij")[1].leaveReason, "server-restart");
}

// Nodes of a cluster share the store: a restarting single server closes only its own
// open sessions, and a live node closes those of nodes no longer alive (old enough that
// their node would be in its view), never a live node's.
TEST_P(StoreContract, OpenSessionsAreClosedPerNode) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  store.recordJoin("abc-defg-hij", "p1", "Ana", "member", false, 10, "node-a");
  store.recordJoin("abc-defg-hij", "p2", "Bruno", "member", false, 20, "node-b");
  store.recordJoin("abc-defg-hij", "p3", "Carla", "member", false, 30, "node-c");
  store.recordJoin("abc-defg-hij", "p4", "Dan", "member", false, 900, "node-c");  // after the view was read
  store.recordJoin("abc-defg-hij", "p5", "Eve", "member", false, 40);              // a single server's

  EXPECT_EQ(store.closeOpenSessions(50), 1) << "the single server's own";
  EXPECT_EQ(store.closeSessionsOfLostNodes({"node-a", "node-b"}, 500, 1000), 1) << "Carla's: node-c is gone";
  EXPECT_EQ(store.closeSessionsOfLostNodes({"node-a", "node-b"}, 500, 1000), 0) << "done once";
  const auto sessions = store.sessions("abc-defg-hij");
  ASSERT_EQ(sessions.size(), 5u);
  EXPECT_FALSE(sessions[0].leftAt);
  EXPECT_FALSE(sessions[1].leftAt);
  EXPECT_EQ(sessions[2].leftAt, 1000);
  EXPECT_EQ(sessions[2].leaveReason, "node-lost");
  EXPECT_FALSE(sessions[3].leftAt) << "too recent to judge";
  EXPECT_EQ(sessions[4].leaveReason, "server-restart");
  EXPECT_EQ(store.closeOpenSessions(60, "node-b"), 1);
  EXPECT_EQ(store.closeSessionsOfLostNodes({}, 2000, 2000), 2) << "no node alive: every open session";
}

TEST_P(StoreContract, ChatHistoryIsOldestFirstAndLimited) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  for (int i = 0; i < 5; ++i) store.addChat("abc-defg-hij", "p1", "Ana", false, "message " + std::to_string(i), i);
  const auto last3 = store.chatHistory("abc-defg-hij", 3);
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_EQ(last3[0].text, "message 2");
  EXPECT_EQ(last3[2].text, "message 4");
  EXPECT_LT(last3[0].id, last3[1].id);
}

TEST_P(StoreContract, TextIsStoredVerbatim) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createRoom(roomRecord("abc-defg-hij", "'; DROP TABLE rooms; --", "h", 1));
  const std::string tricky = std::string("quote ' \" nul-free \xF0\x9F\x91\x8D\nnext line");
  store.addChat("abc-defg-hij", "p1", "Ana", false, tricky, 1);
  EXPECT_EQ(store.chatHistory("abc-defg-hij", 1).at(0).text, tricky);
  EXPECT_EQ(store.findRoom("abc-defg-hij")->name, "'; DROP TABLE rooms; --");
}

TEST_P(StoreContract, UserSessionsLiveUntilTheyExpireOrAreRevoked) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createUserSession({"sha-ana", "https://idp.example", "ana-7f3c", "Ana Martin", "ana@example.gouv.fr",
                           "eyJ.ana.token", 1000, 5000, std::nullopt});
  store.createUserSession({"sha-bruno", "https://idp.example", "bruno-11", "Bruno", "", "", 1000, 5000, std::nullopt});
  const auto ana = store.findLiveUserSession("sha-ana", 2000);
  ASSERT_TRUE(ana);
  EXPECT_EQ(ana->subject, "ana-7f3c");
  EXPECT_EQ(ana->name, "Ana Martin");
  EXPECT_EQ(ana->email, "ana@example.gouv.fr");
  EXPECT_EQ(ana->idToken, "eyJ.ana.token");
  EXPECT_EQ(ana->expiresAt, 5000);
  EXPECT_FALSE(store.findLiveUserSession("sha-ana", 5000)) << "expired";
  EXPECT_FALSE(store.findLiveUserSession("sha-nobody", 2000));
  EXPECT_TRUE(store.revokeUserSession("sha-bruno", 3000));
  EXPECT_FALSE(store.revokeUserSession("sha-bruno", 3100)) << "revoked once";
  EXPECT_FALSE(store.findLiveUserSession("sha-bruno", 3200)) << "signed out is signed out";
  EXPECT_TRUE(store.findLiveUserSession("sha-ana", 3200));
  EXPECT_EQ(store.deleteUserSessionsEndedBefore(4000), 1) << "Bruno's revoked session is forgotten";
  EXPECT_EQ(store.deleteUserSessionsEndedBefore(6000), 1) << "then Ana's expired one";
}

TEST_P(StoreContract, ChatPagesAndUsage) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  store.createRoom(roomRecord("zzz-zzzz-zzz", "", "h", 1));
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(store.addChat("abc-defg-hij", "p1", "Ana", false, "message " + std::to_string(i), i).id);
  store.addChat("zzz-zzzz-zzz", "p9", "Zoé", false, "elsewhere", 9);
  const auto page = store.chatHistory("abc-defg-hij", 2, ids[3]);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].text, "message 1");
  EXPECT_EQ(page[1].text, "message 2");
  // A byte budget: "Ana" + "message N" is 12 bytes a line; 30 bytes hold two.
  EXPECT_EQ(store.chatHistory("abc-defg-hij", 10, 0, 30).size(), 2u);
  EXPECT_EQ(store.chatHistory("abc-defg-hij", 10, 0, 1).size(), 1u) << "always one";
  const auto usage = store.chatUsage("abc-defg-hij");
  EXPECT_EQ(usage.messages, 6);
  EXPECT_EQ(usage.bytes, 6 * 9);
  EXPECT_EQ(store.chatUsage("zzz-zzzz-zzz").bytes, 9) << "bytes, not characters";
}

TEST_P(StoreContract, TranscriptionsKeepTheirSegmentsInOrder) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  EXPECT_FALSE(store.latestTranscription("abc-defg-hij"));
  const auto first = store.startTranscription("abc-defg-hij", 100);
  store.addTranscriptSegment(first, {2000, 3000, "p2", "Bruno", "second", false});
  store.addTranscriptSegment(first, {0, 1500, "p1", "Ana", "first", false});
  store.stopTranscription(first, 200);
  store.stopTranscription(first, 300);  // once stopped, stays stopped at its time
  const auto second = store.startTranscription("abc-defg-hij", 400);
  EXPECT_GT(second, first);
  const auto latest = store.latestTranscription("abc-defg-hij");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, second);
  EXPECT_FALSE(latest->stoppedAt);
  const auto segments = store.transcriptSegments(first);
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[0].text, "first");
  EXPECT_EQ(segments[1].name, "Bruno");
  EXPECT_EQ(segments[1].endMs, 3000);
  EXPECT_TRUE(store.transcriptSegments(second).empty());
}

TEST_P(StoreContract, SummariesAreReplacedAndKeptPerTranscription) {
  auto opened = GetParam().open();
  Store& store = *opened;
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  const auto first = store.startTranscription("abc-defg-hij", 100);
  const auto second = store.startTranscription("abc-defg-hij", 200);
  EXPECT_FALSE(store.summaryOf(first));
  store.saveSummary({first, "abc-defg-hij", "pending", "HTTP 500: overloaded", 1, "fr", "albert-large", "", "", 300});
  const std::string markdown = "# Compte rendu\n\n- **Ana** : rédiger la note « budget » 💶\n";
  store.saveSummary({first, "abc-defg-hij", "done", "", 2, "fr", "albert-large", markdown, "{\"overview\":\"x\"}", 400});
  const auto done = store.summaryOf(first);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, "done");
  EXPECT_EQ(done->error, "");
  EXPECT_EQ(done->attempts, 2);
  EXPECT_EQ(done->language, "fr");
  EXPECT_EQ(done->model, "albert-large");
  EXPECT_EQ(done->markdown, markdown);
  EXPECT_EQ(done->json, "{\"overview\":\"x\"}");
  EXPECT_EQ(done->updatedAt, 400);
  EXPECT_EQ(done->roomId, "abc-defg-hij");
  EXPECT_FALSE(store.summaryOf(second));  // each transcription its own
}

TEST_P(StoreContract, TimesAreMillisecondsPastTwoThousandThirtyEight) {
  // Unix milliseconds do not fit 32 bits: every time column must be 64-bit.
  auto opened = GetParam().open();
  Store& store = *opened;
  const std::int64_t now = 1'796'000'000'000;
  ASSERT_TRUE(store.createRoom(roomRecord("abc-defg-hij", "", "h", now)));
  EXPECT_EQ(store.findRoom("abc-defg-hij")->createdAt, now);
  const auto session = store.recordJoin("abc-defg-hij", "p1", "Ana", "member", false, now + 1);
  store.recordLeave(session, now + 2, "left");
  EXPECT_EQ(store.sessions("abc-defg-hij").at(0).leftAt, now + 2);
}

}  // namespace parley::store
