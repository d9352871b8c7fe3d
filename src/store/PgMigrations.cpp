#include "store/PgMigrations.h"

#include <string>

#include "store/Migrations.h"
#include "store/PgConnection.h"

namespace parley::store {

namespace {
// Any fixed number: pg_advisory_xact_lock's key for "Parley is migrating this database".
constexpr std::int64_t kMigrationLock = 0x7061726c6579;  // "parley"

int schemaVersion(PgConnection& db) {
  db.execute("CREATE TABLE IF NOT EXISTS parley_schema (version INTEGER NOT NULL)");
  auto result = db.exec("SELECT version FROM parley_schema");
  return result.rows() == 0 ? 0 : static_cast<int>(result.integer(0, 0));
}
}  // namespace

std::string postgresDialect(std::string_view sqliteSql) {
  std::string sql(sqliteSql);
  auto replaceAll = [&sql](std::string_view from, std::string_view to) {
    for (auto at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size())) {
      sql.replace(at, from.size(), to);
    }
  };
  // Ids numbered by the database; given explicitly only when a store is copied in.
  replaceAll("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY");
  // SQLite's INTEGER is 64-bit; PostgreSQL's is 32 (times are unix milliseconds).
  replaceAll(" INTEGER", " BIGINT");
  return sql;
}

void migrate(PgConnection& db) {
  const auto migrations = schemaMigrations();
  const int latest = static_cast<int>(migrations.size());
  PgTransaction tx(db);
  // Nodes starting together: the first migrates, the others wait here and find it done.
  db.exec("SELECT pg_advisory_xact_lock($1)", {kMigrationLock});
  const int current = schemaVersion(db);
  if (current > latest) {
    throw StoreError("the database has schema version " + std::to_string(current) +
                     ", newer than this Parley understands (" + std::to_string(latest) + ")");
  }
  // One transaction for all: PostgreSQL's DDL is transactional, so a failure leaves the
  // schema as it was.
  for (int version = current + 1; version <= latest; ++version) db.execute(postgresDialect(migrations[version - 1]));
  if (current < latest) {
    db.execute("DELETE FROM parley_schema");
    db.exec("INSERT INTO parley_schema (version) VALUES ($1)", {static_cast<std::int64_t>(latest)});
  }
  tx.commit();
}

}  // namespace parley::store
