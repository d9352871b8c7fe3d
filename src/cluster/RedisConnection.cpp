#include "cluster/RedisConnection.h"

#include <hiredis/hiredis.h>

#include "common/ParseNumber.h"

namespace parley::cluster {

namespace {

timeval toTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

RedisReply copy(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.kind = RedisReply::Kind::String;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::Integer;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::Array;
      for (std::size_t i = 0; i < reply->elements; ++i) out.elements.push_back(copy(reply->element[i]));
      break;
    default:
      out.kind = RedisReply::Kind::Nil;
  }
  return out;
}

}  // namespace

std::optional<RedisUrl> parseRedisUrl(const std::string& text, std::string& error) {
  constexpr std::string_view kScheme = "redis://";
  if (!text.starts_with(kScheme)) {
    error = "must be redis://HOST[:PORT][/DB], not \"" + text + "\"";
    return std::nullopt;
  }
  RedisUrl url;
  std::string rest = text.substr(kScheme.size());
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const std::string credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = credentials.find(':');
    url.user = credentials.substr(0, colon);
    if (colon != std::string::npos) url.password = credentials.substr(colon + 1);
  }
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    const std::string db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty() && !parseNumberInRange(db, 0, 15, url.database)) {
      error = "the database in \"" + text + "\" must be a number from 0 to 15";
      return std::nullopt;
    }
  }
  // [v6]:port, or host:port, or host.
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string::npos) return error = "unclosed [ in \"" + text + "\"", std::nullopt;
    url.host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || !parseNumberInRange(rest.substr(1), 1, 65535, url.port))) {
      return error = "bad port in \"" + text + "\"", std::nullopt;
    }
  } else {
    const auto colon = rest.find(':');
    url.host = rest.substr(0, colon);
    if (colon != std::string::npos && !parseNumberInRange(rest.substr(colon + 1), 1, 65535, url.port)) {
      return error = "bad port in \"" + text + "\"", std::nullopt;
    }
  }
  if (url.host.empty()) return error = "no host in \"" + text + "\"", std::nullopt;
  url.display = "redis://" + url.host + ":" + std::to_string(url.port) + "/" + std::to_string(url.database);
  return url;
}

RedisConnection::RedisConnection(RedisUrl url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

RedisConnection::~RedisConnection() { drop(); }

void RedisConnection::drop() {
  if (context_) redisFree(context_);
  context_ = nullptr;
}

void RedisConnection::connect() {
  drop();
  context_ = redisConnectWithTimeout(url_.host.c_str(), url_.port, toTimeval(timeout_));
  if (!context_ || context_->err) {
    const std::string message = context_ ? context_->errstr : "out of memory";
    drop();
    throw RedisError("cannot connect to " + url_.display + ": " + message);
  }
  redisSetTimeout(context_, toTimeval(timeout_));
  redisEnableKeepAlive(context_);
  try {
    if (!url_.password.empty()) {
      command(url_.user.empty() ? std::vector<std::string>{"AUTH", url_.password}
                                : std::vector<std::string>{"AUTH", url_.user, url_.password});
    }
    if (url_.database != 0) command({"SELECT", std::to_string(url_.database)});
  } catch (const RedisError&) {
    drop();
    throw;
  }
}

RedisReply RedisConnection::command(const std::vector<std::string>& args) {
  if (!context_) connect();
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (!reply) {
    // The connection is unusable after an I/O error or a timeout: made again next time.
    const std::string message = context_->errstr;
    drop();
    throw RedisError(url_.display + ": " + (message.empty() ? "no reply" : message));
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    const std::string message(reply->str, reply->len);
    freeReplyObject(reply);
    throw RedisError(url_.display + " refused " + (args.empty() ? "" : args[0]) + ": " + message);
  }
  RedisReply out = copy(reply);
  freeReplyObject(reply);
  return out;
}

}  // namespace parley::cluster
