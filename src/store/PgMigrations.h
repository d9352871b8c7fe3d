#pragma once
// PostgreSQL's schema is SQLite's (Migrations.h), migration for migration, written in
// PostgreSQL's types by postgresDialect: one list, so both always have the same tables and
// columns at the same version, and a store can be copied from one to the other (StoreCopy.h).
#include <string>
#include <string_view>

namespace parley::store {

class PgConnection;

// A SQLite migration in PostgreSQL's types (64-bit integers, identity ids).
std::string postgresDialect(std::string_view sqliteSql);

// Applies every migration above the database's version in one transaction, under an
// advisory lock so that nodes starting together migrate once. Refuses a database written by
// a newer Parley.
void migrate(PgConnection& db);

}  // namespace parley::store
