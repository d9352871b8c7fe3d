#include "store/PgConnection.h"

#include <libpq-fe.h>

#include <charconv>

namespace parley::store {

namespace {

// Hides the password of postgresql://user:password@host/db.
std::string withoutPassword(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string firstLine(const char* message) {
  std::string text = message ? message : "unknown error";
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

}  // namespace

bool isPostgresUrl(std::string_view url) { return url.starts_with("postgresql://") || url.starts_with("postgres://"); }

PgResult::~PgResult() { PQclear(result_); }

int PgResult::rows() const { return PQntuples(result_); }

std::string PgResult::text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column)));
}

std::int64_t PgResult::integer(int row, int column) const {
  const char* value = PQgetvalue(result_, row, column);
  const int length = PQgetlength(result_, row, column);
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(value, value + length, out);
  if (ec != std::errc() || end != value + length) {
    throw StoreError("PostgreSQL returned \"" + std::string(value, static_cast<std::size_t>(length)) +
                     "\" where a whole number was expected");
  }
  return out;
}

bool PgResult::isNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::optional<std::int64_t> PgResult::optionalInteger(int row, int column) const {
  if (isNull(row, column)) return std::nullopt;
  return integer(row, column);
}

std::int64_t PgResult::affected() const {
  const char* count = PQcmdTuples(result_);
  std::int64_t out = 0;
  std::from_chars(count, count + std::char_traits<char>::length(count), out);
  return out;
}

PgConnection::PgConnection(std::string url) : url_(std::move(url)), displayUrl_(withoutPassword(url_)) { connect(); }

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::connect() {
  PQfinish(conn_);
  conn_ = nullptr;
  // Defaults first: anything the URL says wins (libpq expands `dbname` in place). A store
  // that does not answer fails a call within seconds instead of holding the control thread.
  const char* keywords[] = {"connect_timeout", "application_name", "keepalives_idle", "keepalives_interval",
                            "keepalives_count", "options", "dbname", nullptr};
  const char* values[] = {"3", "parley", "10", "5", "3", "-c statement_timeout=10000", url_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, 1);
  if (!conn_) throw StoreError("cannot connect to " + displayUrl_ + ": out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = firstLine(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError("cannot connect to " + displayUrl_ + ": " + message);
  }
  // Replies as UTF-8 whatever the server's default, and quiet notices (they go to stderr).
  PQsetClientEncoding(conn_, "UTF8");
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

void PgConnection::ensureConnected() {
  if (conn_ && PQstatus(conn_) == CONNECTION_OK) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < retryAfter_) throw StoreError(lastConnectError_ + " (trying again within a second)");
  try {
    connect();
  } catch (const StoreError& e) {
    retryAfter_ = now + std::chrono::seconds(1);
    lastConnectError_ = e.what();
    throw;
  }
}

PgResult PgConnection::checked(pg_result* result, std::string_view sql) {
  PgResult owned(result);
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return owned;
  std::string message = firstLine(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (message.empty()) message = firstLine(PQerrorMessage(conn_));
  const auto head = sql.substr(0, std::min<std::size_t>(sql.find_first_of("\n("), 60));
  throw StoreError("PostgreSQL: " + message + " (" + std::string(head) + ")");
}

PgResult PgConnection::exec(std::string_view sql, std::initializer_list<PgParam> params) {
  return exec(sql, std::vector<PgParam>(params));
}

PgResult PgConnection::exec(std::string_view sql, const std::vector<PgParam>& params) {
  ensureConnected();
  // Parameters as text, each copied so that it ends with a NUL (libpq reads text
  // parameters up to it); numbers written here, so no locale is involved.
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (const auto* text = std::get_if<std::string_view>(&params[i])) {
      if (text->find('\0') != std::string_view::npos) throw StoreError("PostgreSQL cannot store text with a NUL byte");
      texts[i] = std::string(*text);
    } else if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
      texts[i] = std::to_string(*number);
    } else {
      continue;  // NULL
    }
    values[i] = texts[i].c_str();
  }
  const std::string statement(sql);
  return checked(PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                              nullptr, nullptr, 0),
                 sql);
}

void PgConnection::execute(std::string_view sql) {
  ensureConnected();
  const std::string statements(sql);
  checked(PQexec(conn_, statements.c_str()), sql);
}

PgTransaction::~PgTransaction() {
  if (done_) return;
  try {
    db_.execute("ROLLBACK");
  } catch (...) {
  }
}

void PgTransaction::commit() {
  db_.execute("COMMIT");
  done_ = true;
}

}  // namespace parley::store
