#include "store/SqliteRoomStore.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "store/Migrations.h"
#include "store/PgMigrations.h"
#include "store/StoreContract.h"
#include "store/TempDir.h"

namespace parley::store {

namespace {
using testing::TempDir;
}  // namespace

TEST(SqliteRoomStore, SurvivesReopeningTheFile) {
  TempDir dir;
  const auto path = dir.file("parley.db");
  {
    SqliteRoomStore store(path);
    store.createRoom(roomRecord("abc-defg-hij", "Persisted", "h", 1));
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

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(StoreBackend{"InMemory", [] { return std::make_unique<SqliteRoomStore>(":memory:"); }}),
                         backendName);

TEST(SqliteRoomStore, OpenStoreChoosesTheBackendFromTheLocation) {
  TempDir dir;
  EXPECT_EQ(openStore("sqlite:" + dir.file("a.db"))->describe(), "SQLite " + dir.file("a.db"));
  EXPECT_EQ(openStore(dir.file("b.db"))->describe(), "SQLite " + dir.file("b.db"));
  EXPECT_THROW(openStore("sqlite:"), StoreError);
  // Nothing listens on port 1: a clear error naming the server, never the password.
  try {
    openStore("postgresql://parley:secret@127.0.0.1:1/parley");
    FAIL() << "connected to nothing";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("127.0.0.1:1"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
  }
}

TEST(PostgresDialect, WritesSqliteMigrationsInPostgresTypes) {
  EXPECT_EQ(postgresDialect("CREATE TABLE t (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  at INTEGER NOT NULL,\n"
                            "  left_at INTEGER,\n  name TEXT NOT NULL\n);\nALTER TABLE t ADD COLUMN guest INTEGER NOT NULL DEFAULT 0;"),
            "CREATE TABLE t (\n  id BIGSERIAL PRIMARY KEY,\n  at BIGINT NOT NULL,\n  left_at BIGINT,\n"
            "  name TEXT NOT NULL\n);\nALTER TABLE t ADD COLUMN guest BIGINT NOT NULL DEFAULT 0;");
  // Every shipped migration uses only what the translation knows (no other SQLite types).
  for (const auto migration : schemaMigrations()) {
    const auto sql = postgresDialect(migration);
    EXPECT_EQ(sql.find("AUTOINCREMENT"), std::string::npos);
    EXPECT_EQ(sql.find(" INTEGER"), std::string::npos);
    EXPECT_EQ(sql.find("PRAGMA"), std::string::npos);
  }
}

}  // namespace parley::store
