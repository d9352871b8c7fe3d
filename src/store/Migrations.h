#pragma once
// Versioned schema: migration N takes the schema from version N-1 to N (SQLite's user_version).
// Migrations are append-only: never edit one that has shipped, add the next.
#include <span>
#include <string_view>

namespace parley::store {

class Database;

std::span<const std::string_view> schemaMigrations();

// Applies every migration above the database's version, each in its own transaction.
// Refuses a database written by a newer Parley (its version is above ours).
void migrate(Database& db);

}  // namespace parley::store
