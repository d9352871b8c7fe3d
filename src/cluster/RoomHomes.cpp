#include "cluster/RoomHomes.h"

#include <algorithm>

#include "cluster/NodeRegistry.h"
#include "common/Random.h"

namespace parley::cluster {

namespace {
// KEYS[1]: the room's home key. ARGV: this node's id, the home's lifetime in ms, the prefix
// of node records. The current home stays if its node's record exists (it heartbeats);
// otherwise this node becomes the home. Either way the key lives on for its lifetime, and
// the answer is the home's record (where to reach it), read in the same step.
constexpr const char* kClaimScript = R"(
local home = redis.call('GET', KEYS[1])
if home and home ~= ARGV[1] then
  local record = redis.call('GET', ARGV[3] .. home)
  if record then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return record
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('GET', ARGV[3] .. ARGV[1])
)";

// KEYS: the home keys of rooms this node serves. ARGV as for kClaimScript. Nothing is judged
// while this node's own record is missing (nil): it is written again at its next heartbeat,
// and a claim now would be one the next node asked could take at once. Each room whose home
// is another node that lives is lost (its index in KEYS is returned); every other one is
// this node's, for another lifetime.
constexpr const char* kConfirmScript = R"(
if redis.call('EXISTS', ARGV[3] .. ARGV[1]) == 0 then return false end
local lost = {}
for i, key in ipairs(KEYS) do
  local home = redis.call('GET', key)
  if home and home ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. home) == 1 then
    table.insert(lost, i)
  else
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  end
end
return lost
)";

std::string homeKey(const std::string& roomId) { return "parley:room:" + roomId + ":home"; }

std::string lifetimeMillis() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(RoomHomes::kHomeLifetime).count());
}

constexpr const char* kRelayKeyName = "parley:cluster:relay-key";
}  // namespace

RoomHomes::RoomHomes(RedisUrl redis, std::string nodeId, Post post, std::chrono::milliseconds timeout)
    : redisUrl_(std::move(redis)), nodeId_(std::move(nodeId)), post_(std::move(post)), timeout_(timeout) {
  thread_ = std::thread([this] { run(); });
}

RoomHomes::~RoomHomes() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RoomHomes::locate(const std::string& roomId, Answer answer) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && questions_.size() < kMaxWaiting) {
      questions_.push_back({roomId, std::move(answer)});
      wake_.notify_one();
      return;
    }
  }
  post_([answer = std::move(answer)] { answer({std::nullopt, {}, "too many rooms being looked up at once"}); });
}

void RoomHomes::confirm(std::vector<std::string> roomIds, Lost answer) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  confirmation_ = Confirmation{std::move(roomIds), std::move(answer)};
  wake_.notify_one();
}

void RoomHomes::forgetNode(const std::string& nodeId) {
  std::lock_guard lock(mutex_);
  if (forgotten_.size() >= 16) return;  // already busy forgetting: the time to live does the rest
  forgotten_.push_back(nodeId);
  wake_.notify_one();
}

std::string RoomHomes::relayKey() const {
  std::lock_guard lock(mutex_);
  return relayKey_;
}

void RoomHomes::run() {
  RedisConnection redis(redisUrl_, timeout_);
  auto keyChecked = std::chrono::steady_clock::time_point{};
  for (;;) {
    std::optional<Question> question;
    std::optional<Confirmation> confirmation;
    std::deque<std::string> forgotten;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(1), [this] {
        return stopping_ || !questions_.empty() || !forgotten_.empty() || confirmation_;
      });
      if (stopping_) break;
      if (!questions_.empty()) {
        question = std::move(questions_.front());
        questions_.pop_front();
      }
      forgotten.swap(forgotten_);
      confirmation.swap(confirmation_);
    }
    for (const auto& node : forgotten) {
      try {
        redis.command({"DEL", NodeRegistry::kKeyPrefix + node});
      } catch (const RedisError&) {
        // Its record expires by itself.
      }
    }
    // Without the key nothing can be relayed: it is asked for every second until known,
    // then checked every 10 s (a Redis restarted empty gets it back).
    const auto now = std::chrono::steady_clock::now();
    if (now - keyChecked >= (relayKey().empty() ? std::chrono::seconds(1) : std::chrono::seconds(10))) {
      keyChecked = now;
      fetchRelayKey(redis);
    }
    if (question) {
      auto answer = ask(redis, question->roomId);
      post_([reply = std::move(question->answer), answer = std::move(answer)]() mutable { reply(std::move(answer)); });
    }
    if (confirmation) {
      if (auto lost = confirmHomes(redis, confirmation->roomIds)) {
        post_([reply = std::move(confirmation->answer), lost = std::move(*lost)]() mutable { reply(std::move(lost)); });
      }
    }
  }
  // Questions still waiting get an answer, so that nobody waits for one forever.
  std::lock_guard lock(mutex_);
  for (auto& question : questions_) {
    post_([reply = std::move(question.answer)] { reply({std::nullopt, {}, "the server is stopping"}); });
  }
  questions_.clear();
}

RoomHomeAnswer RoomHomes::ask(RedisConnection& redis, const std::string& roomId) {
  try {
    const auto reply =
        redis.command({"EVAL", kClaimScript, "1", homeKey(roomId), nodeId_, lifetimeMillis(), NodeRegistry::kKeyPrefix});
    // Nil: this node's own record has expired (it lost Redis for longer than the time to
    // live); it is written again at the next heartbeat.
    if (reply.kind != RedisReply::Kind::String) return {std::nullopt, {}, "this node is not registered in the cluster yet"};
    auto home = decodeNodeRecord(reply.text);
    if (!home) return {std::nullopt, {}, "the home node's record is not readable"};
    return {std::move(home), relayKey(), {}};
  } catch (const RedisError& e) {
    return {std::nullopt, {}, e.what()};
  }
}

std::optional<std::vector<std::string>> RoomHomes::confirmHomes(RedisConnection& redis,
                                                                const std::vector<std::string>& roomIds) {
  std::vector<std::string> lost;
  try {
    for (std::size_t first = 0; first < roomIds.size(); first += kConfirmBatch) {
      const std::size_t count = std::min(kConfirmBatch, roomIds.size() - first);
      std::vector<std::string> args{"EVAL", kConfirmScript, std::to_string(count)};
      for (std::size_t i = first; i < first + count; ++i) args.push_back(homeKey(roomIds[i]));
      args.insert(args.end(), {nodeId_, lifetimeMillis(), NodeRegistry::kKeyPrefix});
      const auto reply = redis.command(args);
      if (reply.kind != RedisReply::Kind::Array) return std::nullopt;  // not registered (again) yet
      for (const auto& index : reply.elements) {
        // Lua's indices start at 1.
        if (index.kind == RedisReply::Kind::Integer && index.integer >= 1 && static_cast<std::size_t>(index.integer) <= count) {
          lost.push_back(roomIds[first + static_cast<std::size_t>(index.integer) - 1]);
        }
      }
    }
  } catch (const RedisError&) {
    return std::nullopt;  // judged again at the next confirmation
  }
  return lost;
}

void RoomHomes::fetchRelayKey(RedisConnection& redis) {
  try {
    // The first node to get here sets it; every node reads the one that won. A node that
    // knew one offers it again, so that a Redis restarted empty keeps the cluster's key.
    const std::string known = relayKey();
    redis.command({"SET", kRelayKeyName, known.empty() ? randomToken(32) : known, "NX"});
    const auto key = redis.command({"GET", kRelayKeyName});
    if (key.kind != RedisReply::Kind::String || key.text.size() < 32) return;
    std::lock_guard lock(mutex_);
    relayKey_ = key.text;
  } catch (const RedisError&) {
    // Asked again at the next question, or within a second.
  }
}

}  // namespace parley::cluster
