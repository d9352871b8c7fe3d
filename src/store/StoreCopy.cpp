#include "store/StoreCopy.h"

#include <filesystem>

#include "store/Database.h"
#include "store/Migrations.h"
#include "store/PgConnection.h"
#include "store/PgMigrations.h"

namespace parley::store {

namespace {
// Parents before children (foreign keys). Table names are ours, never user input.
constexpr const char* kTables[] = {"rooms",          "participant_sessions", "chat_messages",    "transcriptions",
                                   "transcript_segments", "meeting_summaries", "user_sessions"};
// Tables whose id PostgreSQL numbers itself: its sequence must go past the copied ids.
constexpr const char* kNumberedTables[] = {"participant_sessions", "chat_messages", "transcriptions",
                                           "transcript_segments"};

std::vector<std::string> columnsOf(Database& db, const std::string& table) {
  std::vector<std::string> columns;
  auto info = db.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid");
  info.bind(1, table);
  while (info.step()) columns.push_back(info.columnText(0));
  return columns;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

void requireEmpty(PgConnection& target) {
  for (const char* table : kTables) {
    const auto rows = target.exec(std::string("SELECT COUNT(*) FROM ") + table).integer(0, 0);
    if (rows > 0) {
      throw StoreError("the target already holds data (" + std::to_string(rows) + " rows in " + table +
                       "): copy into an empty database");
    }
  }
}

std::int64_t copyTable(Database& source, PgConnection& target, const std::string& table) {
  const auto columns = columnsOf(source, table);
  std::vector<std::string> placeholders;
  for (std::size_t i = 1; i <= columns.size(); ++i) placeholders.push_back("$" + std::to_string(i));
  const std::string insert = "INSERT INTO " + table + " (" + join(columns, ", ") + ") VALUES (" +
                             join(placeholders, ", ") + ")";
  auto select = source.prepare("SELECT " + join(columns, ", ") + " FROM " + table + " ORDER BY rowid");
  std::int64_t rows = 0;
  std::vector<std::string> values(columns.size());
  std::vector<PgParam> params(columns.size());
  while (select.step()) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int column = static_cast<int>(i);
      if (select.columnIsNull(column)) {
        params[i] = nullptr;
      } else {
        values[i] = select.columnText(column);  // numbers as their decimal text
        params[i] = std::string_view(values[i]);
      }
    }
    target.exec(insert, params);
    ++rows;
  }
  return rows;
}
}  // namespace

CopyReport copySqliteToPostgres(const std::string& sqlitePath, const std::string& postgresUrl) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(sqlitePath, error)) {
    throw StoreError("no SQLite store at " + sqlitePath);
  }
  Database source(sqlitePath);
  migrate(source);
  PgConnection target(postgresUrl);
  migrate(target);

  CopyReport report;
  PgTransaction tx(target);
  requireEmpty(target);
  for (const char* table : kTables) report.rowsPerTable.emplace_back(table, copyTable(source, target, table));
  for (const char* table : kNumberedTables) {
    target.exec(std::string("SELECT setval(pg_get_serial_sequence('") + table + "', 'id'), COALESCE(MAX(id), 0) + 1, "
                "false) FROM " + table);
  }
  tx.commit();
  return report;
}

}  // namespace parley::store
