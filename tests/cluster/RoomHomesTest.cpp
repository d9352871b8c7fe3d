// A room's home against a real Redis: the first node asked claims it and every node then
// gets the same home with its record; a home whose node has gone (its record expired) is
// taken over by the next node asked; many nodes claiming one room at once agree on one
// home; a Redis outage is an answer with the reason, never a wait; and every node reads the
// same relay key. A home that was away (its record expired, or Redis restarted empty) learns
// on its return which of its rooms another node took meanwhile, and claims the others again.
#include "cluster/RoomHomes.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <set>

#include "RedisServer.h"
#include "cluster/NodeRegistry.h"

namespace parley::cluster {

namespace {
using namespace std::chrono_literals;
using testing::RedisServer;

RedisUrl urlOf(const RedisServer& redis) {
  std::string error;
  return *parseRedisUrl(redis.url(), error);
}

// Posts run at once on the homes' thread: each test waits on a future for the answer.
RoomHomes::Post immediate() {
  return [](std::function<void()> task) { task(); };
}

// The rooms of `roomIds` that `homes` has lost; nothing if it gave no answer within `wait`.
std::optional<std::vector<std::string>> confirm(RoomHomes& homes, std::vector<std::string> roomIds,
                                                std::chrono::milliseconds wait = 3s) {
  auto promise = std::make_shared<std::promise<std::vector<std::string>>>();
  auto future = promise->get_future();
  homes.confirm(std::move(roomIds), [promise](std::vector<std::string> lost) { promise->set_value(std::move(lost)); });
  if (future.wait_for(wait) != std::future_status::ready) return std::nullopt;
  return future.get();
}

void awaitExpiry(const RedisServer& redis, const std::string& nodeId) {
  RedisConnection probe(urlOf(redis));
  for (int i = 0; i < 100 && probe.command({"EXISTS", std::string(NodeRegistry::kKeyPrefix) + nodeId}).integer == 1; ++i) {
    std::this_thread::sleep_for(20ms);
  }
}

RoomHomeAnswer locate(RoomHomes& homes, const std::string& roomId) {
  auto promise = std::make_shared<std::promise<RoomHomeAnswer>>();
  auto future = promise->get_future();
  homes.locate(roomId, [promise](RoomHomeAnswer answer) { promise->set_value(std::move(answer)); });
  if (future.wait_for(5s) != std::future_status::ready) throw std::runtime_error("no answer within 5 s");
  return future.get();
}

// A node's record in Redis, as its registry writes it (without the registry's thread).
void registerNode(const RedisServer& redis, const std::string& id, std::uint16_t port, std::chrono::milliseconds ttl) {
  RedisConnection connection(urlOf(redis));
  NodeRecord record{id, "10.0.0." + id.substr(id.size() - 1), port, 0, 1, {}};
  connection.command({"SET", NodeRegistry::kKeyPrefix + id, encodeNodeRecord(record), "PX", std::to_string(ttl.count())});
}
}  // namespace

TEST(RoomHomes, TheFirstNodeAskedIsHomeAndEveryNodeGetsTheSameRecord) {
  RedisServer redis;
  registerNode(redis, "node-a", 8001, 60s);
  registerNode(redis, "node-b", 8002, 60s);
  RoomHomes a(urlOf(redis), "node-a", immediate());
  RoomHomes b(urlOf(redis), "node-b", immediate());

  const auto first = locate(b, "abc-defg-hij");
  ASSERT_TRUE(first.home) << first.error;
  EXPECT_EQ(first.home->id, "node-b");
  const auto second = locate(a, "abc-defg-hij");
  ASSERT_TRUE(second.home) << second.error;
  EXPECT_EQ(second.home->id, "node-b");
  EXPECT_EQ(second.home->address, "10.0.0.b");
  EXPECT_EQ(second.home->httpPort, 8002);
  // Another room is the first asker's.
  EXPECT_EQ(locate(a, "xyz-defg-hij").home->id, "node-a");
  // One relay key for the cluster, carried with the answers.
  EXPECT_GE(a.relayKey().size(), 32u);
  EXPECT_EQ(a.relayKey(), b.relayKey());
  EXPECT_EQ(second.relayKey, a.relayKey());
}

TEST(RoomHomes, AHomeWhoseNodeIsGoneIsTakenOverByTheNextNodeAsked) {
  RedisServer redis;
  registerNode(redis, "node-a", 8001, 300ms);  // will stop heartbeating
  registerNode(redis, "node-b", 8002, 60s);
  RoomHomes a(urlOf(redis), "node-a", immediate());
  RoomHomes b(urlOf(redis), "node-b", immediate());
  ASSERT_EQ(locate(a, "abc-defg-hij").home->id, "node-a");
  EXPECT_EQ(locate(b, "abc-defg-hij").home->id, "node-a");  // alive: it stays
  awaitExpiry(redis, "node-a");  // as a killed node's does
  EXPECT_EQ(locate(b, "abc-defg-hij").home->id, "node-b");
  // Back (a restarted node is a new id, but even the same one): the room stays where it went.
  registerNode(redis, "node-a", 8001, 60s);
  EXPECT_EQ(locate(a, "abc-defg-hij").home->id, "node-b");
}

TEST(RoomHomes, NodesClaimingOneRoomAtOnceAgreeOnOneHome) {
  RedisServer redis;
  std::vector<std::unique_ptr<RoomHomes>> nodes;
  for (char n = 'a'; n <= 'h'; ++n) {
    const std::string id = std::string("node-") + n;
    registerNode(redis, id, 8000, 60s);
    nodes.push_back(std::make_unique<RoomHomes>(urlOf(redis), id, immediate()));
  }
  for (int room = 0; room < 20; ++room) {
    const std::string roomId = "abc-defg-" + std::to_string(100 + room);
    std::vector<std::future<RoomHomeAnswer>> answers;
    for (auto& node : nodes) answers.push_back(std::async(std::launch::async, [&] { return locate(*node, roomId); }));
    std::set<std::string> homes;
    for (auto& answer : answers) homes.insert(answer.get().home->id);
    EXPECT_EQ(homes.size(), 1u) << roomId;
  }
}

TEST(RoomHomes, WithoutRedisTheAnswerSaysWhyAtOnce) {
  auto redis = std::make_unique<RedisServer>();
  registerNode(*redis, "node-a", 8001, 60s);
  RoomHomes a(urlOf(*redis), "node-a", immediate(), 200ms);
  ASSERT_TRUE(locate(a, "abc-defg-hij").home);
  redis->stop();
  const auto answer = locate(a, "abc-defg-hij");
  EXPECT_FALSE(answer.home);
  EXPECT_FALSE(answer.error.empty());
  // Back, with its records gone (nothing was saved): this node's record is written again
  // by its registry; until then the answer says it is not registered.
  redis->start();
  const auto unregistered = locate(a, "abc-defg-hij");
  EXPECT_FALSE(unregistered.home);
  registerNode(*redis, "node-a", 8001, 60s);
  EXPECT_EQ(locate(a, "abc-defg-hij").home->id, "node-a");
}

TEST(RoomHomes, QuestionsPastTheBoundAreAnsweredAtOnce) {
  RedisServer redis;
  registerNode(redis, "node-a", 8001, 60s);
  std::mutex mutex;
  std::size_t answered = 0, refused = 0;
  {
    RoomHomes a(urlOf(redis), "node-a", immediate());
    for (std::size_t i = 0; i < RoomHomes::kMaxWaiting + 200; ++i) {
      a.locate("abc-defg-hij", [&](RoomHomeAnswer answer) {
        std::lock_guard lock(mutex);
        ++answered;
        if (!answer.home && answer.error.find("too many") != std::string::npos) ++refused;
      });
    }
  }  // the destructor answers whatever still waits
  EXPECT_EQ(answered, RoomHomes::kMaxWaiting + 200);
  EXPECT_GT(refused, 0u);
}

TEST(RoomHomes, AHomeBackFromAnAbsenceLearnsWhichOfItsRoomsWereTaken) {
  RedisServer redis;
  registerNode(redis, "node-a", 8001, 300ms);  // away for longer than its time to live
  registerNode(redis, "node-b", 8002, 60s);
  RoomHomes a(urlOf(redis), "node-a", immediate());
  RoomHomes b(urlOf(redis), "node-b", immediate());
  for (const char* room : {"abc-defg-hij", "klm-nopq-rst", "uvw-xyza-bcd"}) ASSERT_EQ(locate(a, room).home->id, "node-a");
  const auto before = confirm(a, {"abc-defg-hij", "klm-nopq-rst", "uvw-xyza-bcd"});
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->empty()) << "all three are node-a's";

  awaitExpiry(redis, "node-a");
  // While node-a is away, nothing is judged: it is not registered.
  EXPECT_FALSE(confirm(a, {"abc-defg-hij"}, 1500ms));
  // Someone joins one of its rooms through node-b, which takes it.
  ASSERT_EQ(locate(b, "klm-nopq-rst").home->id, "node-b");
  registerNode(redis, "node-a", 8001, 60s);  // its next heartbeat
  const auto after = confirm(a, {"abc-defg-hij", "klm-nopq-rst", "uvw-xyza-bcd"});
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, std::vector<std::string>{"klm-nopq-rst"});
  // The rooms node-b did not take are node-a's again: node-b is relayed there.
  EXPECT_EQ(locate(b, "abc-defg-hij").home->id, "node-a");
  EXPECT_EQ(locate(b, "uvw-xyza-bcd").home->id, "node-a");
  EXPECT_EQ(locate(a, "klm-nopq-rst").home->id, "node-b");
}

TEST(RoomHomes, AConfirmationReclaimsTheRoomsOfARedisRestartedEmpty) {
  auto redis = std::make_unique<RedisServer>();
  registerNode(*redis, "node-a", 8001, 60s);
  RoomHomes a(urlOf(*redis), "node-a", immediate(), 200ms);
  std::vector<std::string> rooms;
  for (int i = 0; i < 250; ++i) rooms.push_back("room-" + std::to_string(i));  // three batches
  for (const auto& room : {rooms.front(), rooms.back()}) ASSERT_EQ(locate(a, room).home->id, "node-a");
  redis->stop();
  EXPECT_FALSE(confirm(a, rooms, 1500ms)) << "no answer without Redis";
  redis->start();
  registerNode(*redis, "node-a", 8001, 60s);
  registerNode(*redis, "node-b", 8002, 60s);
  const auto lost = confirm(a, rooms);
  ASSERT_TRUE(lost);
  EXPECT_TRUE(lost->empty());
  // Every one of them, in each batch, is node-a's again before anyone else asks.
  RoomHomes b(urlOf(*redis), "node-b", immediate());
  for (const auto& room : {rooms[0], rooms[150], rooms[249]}) EXPECT_EQ(locate(b, room).home->id, "node-a") << room;
}

}  // namespace parley::cluster
