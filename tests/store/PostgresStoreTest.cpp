// The store against a real PostgreSQL: the same contract as SQLite, then what only a server
// database has (migrations raced by nodes starting together, a connection that breaks,
// copying a single machine's store in). tests/store/with_postgres.sh starts a PostgreSQL
// of its own and gives its address in PARLEY_TEST_POSTGRES_URL; without it these fail.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <unistd.h>

#include "store/Migrations.h"
#include "store/PendingWrites.h"
#include "store/PgConnection.h"
#include "store/PgMigrations.h"
#include "store/PostgresStore.h"
#include "store/SqliteRoomStore.h"
#include "store/StoreContract.h"
#include "store/TempDir.h"
#include "store/StoreCopy.h"

namespace parley::store {

namespace {

// postgresql://USER@HOST:PORT/postgres, the server's maintenance database.
std::string adminUrl() {
  const char* url = std::getenv("PARLEY_TEST_POSTGRES_URL");
  if (!url || !*url) throw StoreError("PARLEY_TEST_POSTGRES_URL is not set: run through tests/store/with_postgres.sh");
  return url;
}

// A new empty database for one test; its URL.
std::string freshDatabase() {
  static std::atomic<int> counter{0};
  const std::string name = "parley_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  PgConnection admin(adminUrl());
  admin.execute("CREATE DATABASE " + name);
  const std::string url = adminUrl();
  return url.substr(0, url.rfind('/') + 1) + name;
}

using testing::TempDir;

}  // namespace

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
                         ::testing::Values(StoreBackend{"Server", [] { return std::make_unique<PostgresStore>(freshDatabase()); }}),
                         backendName);

TEST(PostgresStore, NodesStartingTogetherMigrateOnce) {
  const auto url = freshDatabase();
  std::atomic<int> failures{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < 4; ++i) {
    nodes.emplace_back([&] {
      try {
        PostgresStore store(url);
      } catch (const StoreError&) {
        ++failures;
      }
    });
  }
  for (auto& node : nodes) node.join();
  EXPECT_EQ(failures, 0);
  PgConnection db(url);
  EXPECT_EQ(db.exec("SELECT version FROM parley_schema").integer(0, 0),
            static_cast<std::int64_t>(schemaMigrations().size()));
  EXPECT_EQ(db.exec("SELECT COUNT(*) FROM parley_schema").integer(0, 0), 1);
}

TEST(PostgresStore, RefusesADatabaseFromANewerVersion) {
  const auto url = freshDatabase();
  { PostgresStore first(url); }
  PgConnection(url).exec("UPDATE parley_schema SET version = 999");
  try {
    PostgresStore store(url);
    FAIL() << "opened a newer schema";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST(PostgresStore, ABrokenConnectionFailsOneCallThenComesBack) {
  const auto url = freshDatabase();
  PostgresStore store(url);
  ASSERT_TRUE(store.createRoom(roomRecord("abc-defg-hij", "", "h", 1)));
  // The server ends the store's session, as a restart or a failover would.
  PgConnection admin(url);
  const auto ended =
      admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'parley' "
                 "AND pid <> pg_backend_pid() AND datname = current_database()");
  ASSERT_GE(ended.rows(), 1);
  EXPECT_THROW(store.findRoom("abc-defg-hij"), StoreError) << "the call that met the broken connection";
  EXPECT_TRUE(store.findRoom("abc-defg-hij")) << "the next one connects again";
}

TEST(PostgresStore, WhileTheDatabaseIsGoneCallsFailAtOnce) {
  const auto url = freshDatabase();
  PostgresStore store(url);
  // The database disappears under the store (its connection is ended with it).
  PgConnection(adminUrl()).execute("DROP DATABASE " + url.substr(url.rfind('/') + 1) + " WITH (FORCE)");
  EXPECT_THROW(store.findRoom("abc-defg-hij"), StoreError);  // the broken connection
  EXPECT_THROW(store.findRoom("abc-defg-hij"), StoreError);  // connecting again fails
  // Then, for a second, calls fail without trying (no connect timeout each).
  try {
    store.findRoom("abc-defg-hij");
    FAIL() << "found a room in a dropped database";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("trying again within a second"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

// A PostgreSQL outage during a transcription: finished segments are kept in order, in the
// same bounded queue the rooms write through, and reach the database once it takes
// connections again; none is lost or written twice.
TEST(PostgresStore, SegmentsWrittenDuringAnOutageArriveWhenTheDatabaseReturns) {
  const auto url = freshDatabase();
  const auto name = url.substr(url.rfind('/') + 1);
  PostgresStore store(url);
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  const auto transcription = store.startTranscription("abc-defg-hij", 10);
  PendingWrites writes(100);
  auto segment = [&](int i) {
    return writes.run("transcript", [&store, transcription, i] {
      store.addTranscriptSegment(transcription, {i * 1000, i * 1000 + 900, "p1", "Ana", "phrase " + std::to_string(i), false});
    });
  };
  ASSERT_TRUE(segment(0));

  // The database refuses connections and the store's session is ended, as when the server
  // restarts or fails over.
  PgConnection admin(adminUrl());
  admin.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
  admin.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
  for (int i = 1; i <= 3; ++i) EXPECT_FALSE(segment(i)) << "kept while the database is away";
  EXPECT_EQ(writes.pending(), 3u);
  EXPECT_EQ(writes.retry(), 3u) << "still away: all kept";
  EXPECT_GE(writes.counters().errors, 2u);

  admin.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
  // After a failed connect the store waits a second before trying again.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (writes.retry() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(writes.pending(), 0u);
  EXPECT_EQ(writes.counters().writesDropped, 0u);
  const auto stored = store.transcriptSegments(transcription);
  ASSERT_EQ(stored.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(stored[i].text, "phrase " + std::to_string(i)) << "in order, once each";
}

TEST(PostgresStore, TextWithANulByteIsAClearError) {
  PostgresStore store(freshDatabase());
  store.createRoom(roomRecord("abc-defg-hij", "", "h", 1));
  EXPECT_THROW(store.addChat("abc-defg-hij", "p1", "Ana", false, std::string("a\0b", 3), 1), StoreError);
  EXPECT_EQ(store.chatUsage("abc-defg-hij").messages, 0);
}

TEST(PostgresStore, CopiesASqliteStoreWithItsIds) {
  TempDir dir;
  const auto path = dir.file("parley.db");
  std::int64_t lastChat = 0, transcription = 0;
  {
    SqliteRoomStore source(path);
    source.createRoom({"abc-defg-hij", "Réunion d'équipe", "hash", 1000, "https://idp", "ana", "trusted"});
    source.createRoom(roomRecord("klm-nopq-rst", "Other", "hash2", 2000));
    const auto session = source.recordJoin("abc-defg-hij", "p1", "Ana", "moderator", false, 1100);
    source.recordLeave(session, 1900, "left");
    source.recordJoin("abc-defg-hij", "p2", "Bruno", "member", true, 1200);
    for (int i = 0; i < 3; ++i) lastChat = source.addChat("abc-defg-hij", "p1", "Ana", false, "line " + std::to_string(i), 1300 + i).id;
    transcription = source.startTranscription("abc-defg-hij", 1400);
    source.addTranscriptSegment(transcription, {0, 1500, "p1", "Ana", "bonjour à tous", false});
    source.stopTranscription(transcription, 1800);
    source.saveSummary({transcription, "abc-defg-hij", "done", "", 1, "fr", "albert", "# Compte rendu", "{}", 1850});
    source.createUserSession({"sha-ana", "https://idp", "ana", "Ana", "ana@example.gouv.fr", "tok", 1000, 9000, std::nullopt});
  }
  const auto url = freshDatabase();
  const auto report = copySqliteToPostgres(path, url);
  ASSERT_EQ(report.rowsPerTable.size(), 7u);
  EXPECT_EQ(report.rowsPerTable[0], (std::pair<std::string, std::int64_t>{"rooms", 2}));
  EXPECT_EQ(report.rowsPerTable[2].second, 3);

  PostgresStore copied(url);
  const auto room = copied.findRoom("abc-defg-hij");
  ASSERT_TRUE(room);
  EXPECT_EQ(room->name, "Réunion d'équipe");
  EXPECT_EQ(room->access, "trusted");
  EXPECT_TRUE(room->ownedBy("https://idp", "ana"));
  const auto sessions = copied.sessions("abc-defg-hij");
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(sessions[0].leftAt, 1900);
  EXPECT_FALSE(sessions[1].leftAt);
  EXPECT_TRUE(copied.participantName("abc-defg-hij", "p2")->guest);
  const auto chat = copied.chatHistory("abc-defg-hij", 10);
  ASSERT_EQ(chat.size(), 3u);
  EXPECT_EQ(chat.back().id, lastChat) << "ids kept: clients page the chat by them";
  EXPECT_EQ(copied.latestTranscription("abc-defg-hij")->stoppedAt, 1800);
  EXPECT_EQ(copied.transcriptSegments(transcription).at(0).text, "bonjour à tous");
  EXPECT_EQ(copied.summaryOf(transcription)->markdown, "# Compte rendu");
  EXPECT_TRUE(copied.findLiveUserSession("sha-ana", 2000));
  // New rows are numbered after the copied ones.
  EXPECT_GT(copied.addChat("abc-defg-hij", "p2", "Bruno", true, "after the move", 5000).id, lastChat);
  EXPECT_GT(copied.startTranscription("abc-defg-hij", 5000), transcription);

  // Once is enough: a second copy into the same database is refused, and changes nothing.
  try {
    copySqliteToPostgres(path, url);
    FAIL() << "copied into a database that holds data";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
  }
  EXPECT_EQ(copied.chatHistory("abc-defg-hij", 10).size(), 4u);
  EXPECT_THROW(copySqliteToPostgres(dir.file("missing.db"), freshDatabase()), StoreError);
}

}  // namespace parley::store
