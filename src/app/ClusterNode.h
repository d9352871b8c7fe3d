#pragma once
// This server as a node of a cluster (--cluster): its membership in Redis, kept by
// cluster::NodeRegistry on its own thread, read back on the control thread's upkeep: the
// node's load goes out, and while Redis is unreachable new joins are refused (calls in
// progress go on), until it answers again.
#include <cstdint>
#include <memory>
#include <string>

#include "cluster/NodeRegistry.h"

namespace parley::signaling {
class RoomRegistry;
}
namespace parley::sfu {
class MediaService;
}

namespace parley::app {

class ClusterNode {
 public:
  // Joins the cluster at once (the first heartbeat runs on the registry's thread).
  ClusterNode(const cluster::RedisUrl& redis, const std::string& nodeAddress, signaling::RoomRegistry& rooms,
              sfu::MediaService& media);

  // On the control thread, on the upkeep timer.
  void upkeep();
  std::string renderMetrics() const;
  const std::string& nodeId() const { return nodeId_; }

 private:
  std::string nodeId_;
  signaling::RoomRegistry& rooms_;
  sfu::MediaService& media_;
  std::unique_ptr<cluster::NodeRegistry> registry_;
  bool refusing_ = true;  // until the first heartbeat answers
  std::int64_t lastLostNodeSweep_ = 0;
  std::uint64_t lostSessionsClosed_ = 0;

  void closeSessionsOfLostNodes();
};

}  // namespace parley::app
