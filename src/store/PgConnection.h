#pragma once
// A thin RAII layer over libpq: one connection to PostgreSQL, statements with parameters
// (never spliced into SQL), results read by row and column. Errors become StoreError with
// the server's message. A connection that broke (the server restarted, the network went
// away) is re-established on the next call, so a store outage fails the calls made during
// it and nothing after. Not thread-safe: one owner thread.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/Database.h"  // StoreError

struct pg_conn;
struct pg_result;

namespace parley::store {

// A statement parameter: text, a whole number or SQL NULL.
using PgParam = std::variant<std::string_view, std::int64_t, std::nullptr_t>;

class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;

  int rows() const;
  std::string text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  bool isNull(int row, int column) const;
  std::optional<std::int64_t> optionalInteger(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;

 private:
  pg_result* result_;
};

class PgConnection {
 public:
  // `url`: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?param=value...], libpq's syntax.
  // Connects at once: a wrong address or refused login is a StoreError here.
  explicit PgConnection(std::string url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // One statement with $1, $2... parameters.
  PgResult exec(std::string_view sql, std::initializer_list<PgParam> params = {});
  PgResult exec(std::string_view sql, const std::vector<PgParam>& params);
  // Several statements without parameters (a migration).
  void execute(std::string_view sql);

  // The URL with any password hidden, for logs and errors.
  const std::string& displayUrl() const { return displayUrl_; }

 private:
  void connect();
  void ensureConnected();
  PgResult checked(pg_result* result, std::string_view sql);

  std::string url_;
  std::string displayUrl_;
  pg_conn* conn_ = nullptr;
  // After a failed attempt to connect, calls fail at once until then instead of each
  // waiting for the connect timeout again (an outage must not stall the caller's thread).
  std::chrono::steady_clock::time_point retryAfter_{};
  std::string lastConnectError_;
};

// Runs BEGIN now and ROLLBACK unless commit() was called.
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& db) : db_(db) { db_.execute("BEGIN"); }
  ~PgTransaction();
  void commit();

 private:
  PgConnection& db_;
  bool done_ = false;
};

// "postgresql://" or "postgres://" URLs.
bool isPostgresUrl(std::string_view url);

}  // namespace parley::store
