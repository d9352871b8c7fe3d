#pragma once
// This server as a node of a cluster (--cluster): its membership in Redis, kept by
// cluster::NodeRegistry on its own thread, read back on the control thread's upkeep: the
// node's load goes out, and while Redis is unreachable new joins are refused (calls in
// progress go on), until it answers again. It also places each room's signaling
// (http::RoomPlacement): a room has one home node (cluster::RoomHomes), and a client that
// reaches another node is relayed there.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cluster/NodeRegistry.h"
#include "cluster/RoomHomes.h"
#include "http/HttpPolicy.h"
#include "http/RoomPlacement.h"

namespace parley::signaling {
class RoomRegistry;
}
namespace parley::sfu {
class MediaService;
}

namespace parley::app {

class ClusterNode : public http::RoomPlacement {
 public:
  // Joins the cluster at once (the first heartbeat runs on the registry's thread). `post`
  // runs a task on the control thread.
  // `httpPort`: where the HTTP server listens, for other nodes to relay signaling to.
  // `mediaPort`: where rooms homed on other nodes drive this node's media (routing::MediaAgent).
  ClusterNode(std::string nodeId, const cluster::RedisUrl& redis, const std::string& nodeAddress,
              std::uint16_t httpPort, std::uint16_t mediaPort, signaling::RoomRegistry& rooms,
              sfu::MediaService& media, cluster::RoomHomes::Post post);
  // A node's id: its host name and a random part, new at each start.
  static std::string newId();
  // The cluster's shared key (empty until Redis gave it), and the cluster as the last
  // heartbeat saw it.
  std::string relayKey() const;
  cluster::ClusterView view() const;
  void place(const std::string& roomId, std::function<void(http::Placement)> done) override;
  bool isRelayKey(std::string_view key) const override;
  bool isClusterNode(const boost::asio::ip::address& peer) const override { return http::inAny(nodeAddresses_, peer); }

  // On the control thread, on the upkeep timer.
  void upkeep();
  std::string renderMetrics() const;
  const std::string& nodeId() const { return nodeId_; }

 private:
  std::string nodeId_;
  signaling::RoomRegistry& rooms_;
  sfu::MediaService& media_;
  std::unique_ptr<cluster::NodeRegistry> registry_;
  std::shared_ptr<cluster::RoomHomes> homes_;  // shared: relays hold it weakly, to report a dead home
  bool refusing_ = true;  // until the first heartbeat answers
  // Rooms another node took while this one was away from the cluster, as the last
  // confirmation of this node's homes said; handed over at the next upkeep. The answer is
  // posted to the control thread and holds this weakly.
  std::shared_ptr<std::vector<std::string>> lostRooms_ = std::make_shared<std::vector<std::string>>();
  std::int64_t lastHomesConfirmed_ = 0;
  // The live nodes' addresses, from the registry's last view at each upkeep (the HTTP server
  // asks on this same thread, for every connection it accepts).
  std::vector<http::IpNetwork> nodeAddresses_;
  std::uint64_t roomsHandedOver_ = 0;
  std::int64_t lastLostNodeSweep_ = 0;
  std::uint64_t lostSessionsClosed_ = 0;

  void closeSessionsOfLostNodes(const cluster::ClusterView& view);
  // Asks the cluster whether this node is still the home of every room it serves, and hands
  // over those it is not.
  void confirmHomes();
};

}  // namespace parley::app
