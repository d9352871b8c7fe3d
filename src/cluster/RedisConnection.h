#pragma once
// A blocking connection to Redis (hiredis) for the cluster's coordination thread: commands
// with arguments passed as binary-safe strings (never formatted into the command), replies
// copied out, and every operation bounded by a timeout so that a Redis that stops answering
// fails a call within a second instead of holding the thread. A connection that failed is
// made again on the next call. Not thread-safe: one owner thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct redisContext;

namespace parley::cluster {

class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
struct RedisUrl {
  std::string host;
  int port = 6379;
  int database = 0;
  std::string user, password;
  std::string display;  // without the password, for logs
};
// The parsed URL, or nothing with `error` set.
std::optional<RedisUrl> parseRedisUrl(const std::string& text, std::string& error);

// One reply, flattened: a string or status, an integer, nil, or an array of those.
struct RedisReply {
  enum class Kind { String, Integer, Nil, Array } kind = Kind::Nil;
  std::string text;
  long long integer = 0;
  std::vector<RedisReply> elements;
};

class RedisConnection {
 public:
  explicit RedisConnection(RedisUrl url, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Runs one command; throws RedisError (unreachable, timed out, or Redis said ERR).
  RedisReply command(const std::vector<std::string>& args);
  const RedisUrl& url() const { return url_; }

 private:
  void connect();
  void drop();

  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
};

}  // namespace parley::cluster
