#pragma once
// `parley migrate-store`: copies a SQLite store into an empty PostgreSQL one, every table and
// row with its ids, in one transaction (all or nothing). Both are first brought to this
// Parley's schema version, so their tables match column for column.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace parley::store {

struct CopyReport {
  std::vector<std::pair<std::string, std::int64_t>> rowsPerTable;  // in copy order
};

// Throws StoreError: a missing source, an unreachable or non-empty target, any failed row.
CopyReport copySqliteToPostgres(const std::string& sqlitePath, const std::string& postgresUrl);

}  // namespace parley::store
