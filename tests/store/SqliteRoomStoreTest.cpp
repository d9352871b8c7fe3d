#include "store/SqliteRoomStore.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "store/Migrations.h"

namespace parley::store {

namespace {
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/parley-store-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};
}  // namespace

TEST(SqliteRoomStore, CreatesAndFindsRooms) {
  SqliteRoomStore store(":memory:");
  EXPECT_TRUE(store.createRoom({"abc-defg-hij", "Weekly", "hash", 1000}));
  EXPECT_FALSE(store.createRoom({"abc-defg-hij", "Other", "hash2", 2000}));
  const auto room = store.findRoom("abc-defg-hij");
  ASSERT_TRUE(room);
  EXPECT_EQ(room->name, "Weekly");
  EXPECT_EQ(room->moderatorTokenSha256, "hash");
  EXPECT_EQ(room->createdAt, 1000);
  EXPECT_FALSE(store.findRoom("zzz-zzzz-zzz"));
}

TEST(SqliteRoomStore, KeepsOwnersAndAccessLevels) {
  SqliteRoomStore store(":memory:");
  RoomRecord anonymous{"aaa-aaaa-aaa", "Open", "h", 1};
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

TEST(SqliteRoomStore, KeepsWhoWasAGuest) {
  SqliteRoomStore store(":memory:");
  store.createRoom({"abc-defg-hij", "", "h", 1});
  store.addChat("abc-defg-hij", "p1", "Ana", false, "signed in", 1);
  store.addChat("abc-defg-hij", "p2", "Bruno", true, "a guest", 2);
  const auto chat = store.chatHistory("abc-defg-hij", 10);
  EXPECT_FALSE(chat.at(0).guest);
  EXPECT_TRUE(chat.at(1).guest);
  const auto transcription = store.startTranscription("abc-defg-hij", 5);
  store.addTranscriptSegment(transcription, {0, 1000, "p2", "Bruno", "bonjour", true});
  EXPECT_TRUE(store.transcriptSegments(transcription).at(0).guest);
}

TEST(SqliteRoomStore, KeepsJoinLeaveHistory) {
  SqliteRoomStore store(":memory:");
  store.createRoom({"abc-defg-hij", "", "h", 1});
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

TEST(SqliteRoomStore, ChatHistoryIsOldestFirstAndLimited) {
  SqliteRoomStore store(":memory:");
  store.createRoom({"abc-defg-hij", "", "h", 1});
  for (int i = 0; i < 5; ++i) store.addChat("abc-defg-hij", "p1", "Ana", false, "message " + std::to_string(i), i);
  const auto last3 = store.chatHistory("abc-defg-hij", 3);
  ASSERT_EQ(last3.size(), 3u);
  EXPECT_EQ(last3[0].text, "message 2");
  EXPECT_EQ(last3[2].text, "message 4");
  EXPECT_LT(last3[0].id, last3[1].id);
}

TEST(SqliteRoomStore, TextIsStoredVerbatim) {
  SqliteRoomStore store(":memory:");
  store.createRoom({"abc-defg-hij", "'; DROP TABLE rooms; --", "h", 1});
  const std::string tricky = std::string("quote ' \" nul-free \xF0\x9F\x91\x8D\nnext line");
  store.addChat("abc-defg-hij", "p1", "Ana", false, tricky, 1);
  EXPECT_EQ(store.chatHistory("abc-defg-hij", 1).at(0).text, tricky);
  EXPECT_EQ(store.findRoom("abc-defg-hij")->name, "'; DROP TABLE rooms; --");
}

TEST(SqliteRoomStore, SurvivesReopeningTheFile) {
  TempDir dir;
  const auto path = dir.file("parley.db");
  {
    SqliteRoomStore store(path);
    store.createRoom({"abc-defg-hij", "Persisted", "h", 1});
    store.addChat("abc-defg-hij", "p1", "Ana", false, "still here", 2);
  }
  SqliteRoomStore reopened(path);
  ASSERT_TRUE(reopened.findRoom("abc-defg-hij"));
  EXPECT_EQ(reopened.chatHistory("abc-defg-hij", 10).at(0).text, "still here");
}

TEST(SqliteRoomStore, UsesWalAndRecordsSchemaVersion) {
  TempDir dir;
  const auto path = dir.file("parley.db");
  SqliteRoomStore store(path);
  Database db(path);
  auto mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.columnText(0), "wal");
  EXPECT_EQ(db.userVersion(), static_cast<int>(schemaMigrations().size()));
}

TEST(SqliteRoomStore, RefusesDatabaseFromNewerVersion) {
  TempDir dir;
  const auto path = dir.file("parley.db");
  {
    Database db(path);
    db.execute("PRAGMA user_version = 999");
  }
  EXPECT_THROW(SqliteRoomStore store(path), StoreError);
}

TEST(SqliteRoomStore, MigrationIsIdempotent) {
  TempDir dir;
  const auto path = dir.file("parley.db");
  { SqliteRoomStore first(path); }
  { SqliteRoomStore second(path); }
  Database db(path);
  EXPECT_EQ(db.userVersion(), static_cast<int>(schemaMigrations().size()));
}

TEST(SqliteRoomStore, NotADatabaseGivesAClearError) {
  TempDir dir;
  const auto path = dir.file("parley.db");
  {
    FILE* f = fopen(path.c_str(), "wb");
    fputs("this is not a database, just some text that is long enough to have a header", f);
    fclose(f);
  }
  try {
    SqliteRoomStore store(path);
    FAIL() << "opened a file that is not a database";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
}

TEST(SqliteRoomStore, UserSessionsLiveUntilTheyExpireOrAreRevoked) {
  SqliteRoomStore store(":memory:");
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

}  // namespace parley::store
