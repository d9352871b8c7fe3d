#include "cluster/NodeRegistry.h"

#include <sys/resource.h>

#include <algorithm>

#include "common/Clock.h"

namespace parley::cluster {

namespace {
// CPU time this process used, in seconds (every thread).
double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}
}  // namespace

NodeRegistry::NodeRegistry(RegistryConfig config, ViewListener onView)
    : config_(std::move(config)), onView_(std::move(onView)), startedAt_(unixMillisNow()) {
  thread_ = std::thread([this] { run(); });
}

NodeRegistry::~NodeRegistry() { stopThread(true); }

void NodeRegistry::vanish() { stopThread(false); }

void NodeRegistry::stopThread(bool leave) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    leave_ = leave;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ClusterView NodeRegistry::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

void NodeRegistry::setLoad(std::uint32_t participants, std::uint32_t streams) {
  participants_.store(participants, std::memory_order_relaxed);
  streams_.store(streams, std::memory_order_relaxed);
}

void NodeRegistry::run() {
  RedisConnection redis(config_.redis, config_.timeout);
  auto lastBeat = std::chrono::steady_clock::now();
  double lastCpu = processCpuSeconds();
  double cpu = 0;
  for (;;) {
    auto view = heartbeat(redis, cpu);
    if (onView_) onView_(view);
    std::unique_lock lock(mutex_);
    view_ = std::move(view);
    wake_.wait_for(lock, config_.heartbeat, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    const double used = processCpuSeconds();
    const double elapsed = std::chrono::duration<double>(now - lastBeat).count();
    cpu = elapsed > 0 ? (used - lastCpu) / elapsed : 0;
    lastBeat = now;
    lastCpu = used;
  }
  if (!leave_) return;
  try {
    redis.command({"DEL", kKeyPrefix + config_.nodeId});
  } catch (const RedisError&) {
    // Redis is away: the record expires by itself within the time to live.
  }
}

ClusterView NodeRegistry::heartbeat(RedisConnection& redis, double cpu) {
  ClusterView view;
  try {
    NodeRecord self{config_.nodeId, config_.nodeAddress, config_.httpPort, config_.mediaPort, startedAt_,
                    {participants_.load(std::memory_order_relaxed), streams_.load(std::memory_order_relaxed), cpu}};
    redis.command({"SET", kKeyPrefix + config_.nodeId, encodeNodeRecord(self), "PX",
                   std::to_string(config_.ttl.count())});
    // Every node's key; SCAN, not KEYS, so a large Redis is never blocked.
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      const auto page = redis.command({"SCAN", cursor, "MATCH", std::string(kKeyPrefix) + "*", "COUNT", "1000"});
      if (page.kind != RedisReply::Kind::Array || page.elements.size() != 2) throw RedisError("unexpected SCAN reply");
      cursor = page.elements[0].text;
      for (const auto& key : page.elements[1].elements) keys.push_back(key.text);
    } while (cursor != "0" && keys.size() < 100000);
    if (!keys.empty()) {
      std::vector<std::string> mget{"MGET"};
      mget.insert(mget.end(), keys.begin(), keys.end());
      for (const auto& value : redis.command(mget).elements) {
        if (value.kind != RedisReply::Kind::String) continue;  // expired between SCAN and MGET
        if (auto node = decodeNodeRecord(value.text)) view.nodes.push_back(std::move(*node));
      }
    }
    std::sort(view.nodes.begin(), view.nodes.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    view.reachable = true;
  } catch (const RedisError& e) {
    view.reachable = false;
    view.error = e.what();
  }
  reachable_.store(view.reachable, std::memory_order_relaxed);
  return view;
}

}  // namespace parley::cluster
