#pragma once
// A thin RAII layer over SQLite: one connection, prepared statements, transactions.
// Errors become StoreError with SQLite's message, so callers never see raw result codes.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace parley::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, std::int64_t value);
  Statement& bindNull(int index);
  // Advances to the next row; false when done.
  bool step();
  void run();  // steps once, expecting no row
  std::int64_t columnInt(int index) const;
  std::string columnText(int index) const;
  bool columnIsNull(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating if needed) the file at `path`, or an in-memory database for ":memory:".
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void execute(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  std::int64_t lastInsertId() const;
  int userVersion();
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Commits on commit(), rolls back if destroyed before.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace parley::store
