#pragma once
// This node's membership of the cluster: on a thread of its own, every heartbeat it writes
// its record to Redis with a time to live (a node that stops, however it stops, is gone from
// everyone's view within `ttl`), then reads every live node's record. A clean stop deletes
// the record at once.
//
// Threads: the constructor, setLoad, reachable, view and the destructor may be called from
// any one thread (the control thread reads them on its upkeep timer); `onView`, if given, is
// called on the registry's thread after each heartbeat with a copy of the view, and must
// only hand it over.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "cluster/NodeRecord.h"
#include "cluster/RedisConnection.h"

namespace parley::cluster {

struct RegistryConfig {
  RedisUrl redis;
  std::string nodeId;
  std::string nodeAddress;
  std::uint16_t httpPort = 0;  // where the other nodes relay signaling to this one
  std::uint16_t mediaPort = 0;  // where rooms' homes on other nodes drive its media
  std::chrono::milliseconds heartbeat{2000};
  std::chrono::milliseconds ttl{10000};     // dead after this without a heartbeat
  std::chrono::milliseconds timeout{1000};  // each Redis call
};

class NodeRegistry {
 public:
  using ViewListener = std::function<void(ClusterView)>;

  explicit NodeRegistry(RegistryConfig config, ViewListener onView = {});
  // Leaves the cluster: the record is deleted (if Redis answers).
  ~NodeRegistry();
  NodeRegistry(const NodeRegistry&) = delete;
  NodeRegistry& operator=(const NodeRegistry&) = delete;

  void setLoad(std::uint32_t participants, std::uint32_t streams);
  bool reachable() const { return reachable_.load(std::memory_order_relaxed); }
  // The cluster as the last heartbeat saw it (a copy).
  ClusterView view() const;

  // For tests: stops heartbeating without deleting the record, as a killed node would.
  void vanish();

  static constexpr const char* kKeyPrefix = "parley:node:";

 private:
  void run();
  ClusterView heartbeat(RedisConnection& redis, double cpu);
  void stopThread(bool leave);

  RegistryConfig config_;
  ViewListener onView_;
  std::int64_t startedAt_;
  std::atomic<std::uint32_t> participants_{0}, streams_{0};
  std::atomic<bool> reachable_{false};
  mutable std::mutex mutex_;  // guards the view and stopping
  std::condition_variable wake_;
  ClusterView view_;
  bool stopping_ = false;
  bool leave_ = true;
  std::thread thread_;
};

}  // namespace parley::cluster
