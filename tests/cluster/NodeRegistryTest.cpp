// Membership against a real Redis: nodes see each other with their load, a clean stop is
// seen at once, a killed node (no more heartbeats) within the time to live, and a Redis
// outage is noticed and recovered from without help.
#include "cluster/NodeRegistry.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "RedisServer.h"

namespace parley::cluster {

namespace {
using namespace std::chrono_literals;
using testing::RedisServer;

// The views one node's registry reported, and a way to wait for one.
class Views {
 public:
  NodeRegistry::ViewListener listener() {
    return [this](ClusterView view) {
      std::lock_guard lock(mutex_);
      last_ = std::move(view);
      changed_.notify_all();
    };
  }
  // Waits (at most `limit`) for a view that satisfies `wanted`.
  template <typename Predicate>
  bool waitFor(Predicate wanted, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return wanted(last_); });
  }
  ClusterView last() {
    std::lock_guard lock(mutex_);
    return last_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  ClusterView last_;
};

RegistryConfig configFor(const RedisServer& redis, const std::string& id) {
  std::string error;
  RegistryConfig config;
  config.redis = *parseRedisUrl(redis.url(), error);
  config.nodeId = id;
  config.nodeAddress = "10.0.0." + id.substr(id.size() - 1);
  // Fast, so that the test is short; the defaults are 2 s and 10 s.
  config.heartbeat = 100ms;
  config.ttl = 600ms;
  config.timeout = 300ms;
  return config;
}

bool hasNodes(const ClusterView& view, std::size_t count) { return view.reachable && view.nodes.size() == count; }
}  // namespace

TEST(RedisUrl, ParsesWhatOperatorsWrite) {
  std::string error;
  auto url = parseRedisUrl("redis://10.1.2.3:6380/2", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "10.1.2.3");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->database, 2);
  url = parseRedisUrl("redis://:s3cret@redis.example", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_EQ(url->port, 6379);
  EXPECT_EQ(url->display.find("s3cret"), std::string::npos);
  url = parseRedisUrl("redis://[fd00::1]:7000", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "fd00::1");
  for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/16", "redis://[::1"}) {
    EXPECT_FALSE(parseRedisUrl(bad, error)) << bad;
    EXPECT_FALSE(error.empty());
  }
}

TEST(NodeRecord, RoundTripsAndRejectsWhatIsNotOne) {
  const NodeRecord node{"node-a", "10.0.0.1", 8443, 8444, 1700000000000, {12, 40, 1.5}};
  const auto back = decodeNodeRecord(encodeNodeRecord(node));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, "node-a");
  EXPECT_EQ(back->httpPort, 8443);
  EXPECT_EQ(back->mediaPort, 8444);
  EXPECT_EQ(back->load.streams, 40u);
  EXPECT_DOUBLE_EQ(back->load.cpu, 1.5);
  for (const char* bad : {"", "[]", "{}", "{\"id\":\"\"}", "{\"id\":1}", "not json"}) EXPECT_FALSE(decodeNodeRecord(bad)) << bad;
  // Numbers of the wrong kind or size are refused, never converted (the fuzzer found those).
  const std::string head = R"({"id":"n","address":"a","started_at":1,)";
  for (const std::string tail : {R"("participants":0.5,"streams":1,"cpu":0})", R"("participants":-1,"streams":1,"cpu":0})",
                                 R"("participants":1,"streams":4294967296,"cpu":0})", R"("participants":1,"streams":1,"cpu":-1})",
                                 R"("participants":1,"streams":1,"cpu":"x"})"}) {
    EXPECT_FALSE(decodeNodeRecord(head + tail)) << tail;
  }
  EXPECT_TRUE(decodeNodeRecord(head + R"("participants":1,"streams":1,"cpu":0})"));
  // A record without a port (written before the node listens) is one, with port 0; a port
  // past 65535 is not taken.
  EXPECT_EQ(decodeNodeRecord(head + R"("participants":1,"streams":1,"cpu":0})")->httpPort, 0);
  EXPECT_EQ(decodeNodeRecord(head + R"("participants":1,"streams":1,"cpu":0,"http_port":70000})")->httpPort, 0);
}

TEST(NodeRegistry, NodesSeeEachOtherWithTheirLoad) {
  RedisServer redis;
  Views seenByA, seenByB;
  NodeRegistry a(configFor(redis, "node-a"), seenByA.listener());
  NodeRegistry b(configFor(redis, "node-b"), seenByB.listener());
  b.setLoad(7, 21);
  ASSERT_TRUE(seenByA.waitFor([](const ClusterView& v) {
    return hasNodes(v, 2) && v.nodes[1].load.participants == 7 && v.nodes[1].load.streams == 21;
  }));
  const auto view = seenByA.last();
  EXPECT_EQ(view.nodes[0].id, "node-a");
  EXPECT_EQ(view.nodes[1].id, "node-b");
  EXPECT_EQ(view.nodes[1].address, "10.0.0.b");
  EXPECT_GT(view.nodes[1].startedAt, 0);
  EXPECT_TRUE(seenByB.waitFor([](const ClusterView& v) { return hasNodes(v, 2); }));
  EXPECT_TRUE(a.reachable());
}

TEST(NodeRegistry, ACleanStopLeavesAtOnceAKilledNodeWithinTheTimeToLive) {
  RedisServer redis;
  Views seenByA;
  NodeRegistry a(configFor(redis, "node-a"), seenByA.listener());
  {
    Views ignored;
    NodeRegistry b(configFor(redis, "node-b"), ignored.listener());
    ASSERT_TRUE(seenByA.waitFor([](const ClusterView& v) { return hasNodes(v, 2); }));
  }
  // Gone at A's next heartbeat, well before the record's time to live.
  ASSERT_TRUE(seenByA.waitFor([](const ClusterView& v) { return hasNodes(v, 1); }, 400ms));

  Views ignored;
  NodeRegistry c(configFor(redis, "node-c"), ignored.listener());
  ASSERT_TRUE(seenByA.waitFor([](const ClusterView& v) { return hasNodes(v, 2); }));
  const auto killed = std::chrono::steady_clock::now();
  c.vanish();
  ASSERT_TRUE(seenByA.waitFor([](const ClusterView& v) { return hasNodes(v, 1); }));
  // Not before its time to live (600 ms) less a heartbeat: it was not deleted, it expired.
  EXPECT_GE(std::chrono::steady_clock::now() - killed, 400ms);
}

TEST(NodeRegistry, ARedisOutageIsNoticedAndRecoveredFrom) {
  RedisServer redis;
  Views seen;
  NodeRegistry a(configFor(redis, "node-a"), seen.listener());
  ASSERT_TRUE(seen.waitFor([](const ClusterView& v) { return hasNodes(v, 1); }));
  redis.stop();
  ASSERT_TRUE(seen.waitFor([](const ClusterView& v) { return !v.reachable; }));
  EXPECT_FALSE(a.reachable());
  EXPECT_NE(seen.last().error.find("redis://127.0.0.1"), std::string::npos) << seen.last().error;
  // Redis came back empty (nothing saved): the node registers again by itself.
  redis.start();
  ASSERT_TRUE(seen.waitFor([](const ClusterView& v) { return hasNodes(v, 1); }));
  EXPECT_TRUE(a.reachable());
}

}  // namespace parley::cluster
