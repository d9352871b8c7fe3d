#include "app/ClusterNode.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/Clock.h"
#include "common/Prometheus.h"
#include "common/Random.h"
#include "common/Text.h"
#include "sfu/MediaService.h"
#include "signaling/RoomRegistry.h"
#include "store/Database.h"

namespace parley::app {

namespace {
// The host's name and a random part: a restarted node is a new node (whatever it hosted
// has been taken over by then).

// How often the node looks for sessions of nodes that died, and how old such a session must
// be: a node is in Redis before it takes anyone, and everyone's view is at most a heartbeat
// old, so a session older than this whose node is not in the view belongs to a dead node
// (with room for the nodes' clocks to differ by a few seconds).
constexpr std::int64_t kLostNodeSweepMillis = 5000;
constexpr std::int64_t kLostNodeSessionAgeMillis = 15000;

// How often a node confirms that it is still the home of the rooms it serves: after an
// absence from the cluster, a room another node took meanwhile is two rooms for at most this
// long (plus a heartbeat) before this node hands its people over.
constexpr std::int64_t kConfirmHomesMillis = 3000;

constexpr const char* kRefusedJoin =
    "the cluster's coordination service is unreachable: nobody new can enter for now (calls in progress go on); "
    "try again in a moment";
}  // namespace

std::string ClusterNode::newId() {
  char host[64] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "-" + randomToken(6);
}

ClusterNode::ClusterNode(std::string nodeId, const cluster::RedisUrl& redis, const std::string& nodeAddress,
                         std::uint16_t httpPort, std::uint16_t mediaPort, signaling::RoomRegistry& rooms,
                         sfu::MediaService& media, cluster::RoomHomes::Post post)
    : nodeId_(std::move(nodeId)), rooms_(rooms), media_(media) {
  cluster::RegistryConfig config;
  config.redis = redis;
  config.nodeId = nodeId_;
  config.nodeAddress = nodeAddress;
  config.httpPort = httpPort;
  config.mediaPort = mediaPort;
  registry_ = std::make_unique<cluster::NodeRegistry>(config);
  homes_ = std::make_shared<cluster::RoomHomes>(redis, nodeId_, std::move(post));
  rooms_.setNode(nodeId_);
  rooms_.setJoinsRefused("this node has not reached the cluster's coordination service yet; try again in a moment");
  spdlog::info("cluster: node {} at {}, coordinated by {}", nodeId_, nodeAddress, redis.display);
}

void ClusterNode::upkeep() {
  registry_->setLoad(static_cast<std::uint32_t>(rooms_.participantCount()),
                     static_cast<std::uint32_t>(media_.placedStreams()));
  const auto view = registry_->view();
  if (view.reachable) {
    nodeAddresses_.clear();
    for (const auto& node : view.nodes) {
      if (auto address = http::IpNetwork::parse(node.address)) nodeAddresses_.push_back(*address);
    }
  }
  closeSessionsOfLostNodes(view);
  confirmHomes();
  // Until the first heartbeat has answered, the node is not known to be part of anything.
  const bool refuse = !registry_->reachable();
  if (refuse == refusing_) return;
  refusing_ = refuse;
  rooms_.setJoinsRefused(refuse ? kRefusedJoin : "");
  if (refuse) {
    spdlog::error("cluster: {}: new joins refused until it answers", view.error);
  } else {
    spdlog::info("cluster: coordination reachable, {} nodes: joins open", view.nodes.size());
  }
}

void ClusterNode::place(const std::string& roomId, std::function<void(http::Placement)> done) {
  // The answer comes back on the control thread, and carries all it needs: no pointer to
  // this node crosses threads.
  homes_->locate(roomId, [self = nodeId_, roomId, done = std::move(done),
                          homes = std::weak_ptr<cluster::RoomHomes>(homes_)](cluster::RoomHomeAnswer answer) {
    if (!answer.home) {
      // Served here: while Redis does not answer, the room registry refuses new joins and
      // lets those in a call resume.
      spdlog::warn("cluster: cannot tell where room {} lives ({}); serving it here", roomId, answer.error);
      return done({});
    }
    if (answer.home->id == self) return done({});
    if (answer.home->httpPort == 0 || answer.relayKey.empty()) {
      // Served here, the room would be two rooms: the client tries again in a moment.
      spdlog::warn("cluster: room {} lives on node {}, which cannot be relayed to yet", roomId, answer.home->id);
      return done({http::Placement::Kind::Unavailable, {}});
    }
    auto refused = [homes, node = answer.home->id] {
      spdlog::warn("cluster: node {} refuses connections: taken for dead now", node);
      if (auto live = homes.lock()) live->forgetNode(node);
    };
    done({http::Placement::Kind::Relay,
          {answer.home->id, answer.home->address, answer.home->httpPort, std::move(answer.relayKey), refused}});
  });
}

std::string ClusterNode::relayKey() const { return homes_->relayKey(); }

cluster::ClusterView ClusterNode::view() const { return registry_->view(); }

bool ClusterNode::isRelayKey(std::string_view key) const {
  const std::string expected = homes_->relayKey();
  return !expected.empty() && constantTimeEquals(key, expected);
}

// Participants of a killed node come back through another one; their old sessions stay
// open in the store until a live node closes them ("node-lost"). Every live node does it:
// the update is the same whoever runs it first.
void ClusterNode::closeSessionsOfLostNodes(const cluster::ClusterView& view) {
  const auto now = unixMillisNow();
  if (now - lastLostNodeSweep_ < kLostNodeSweepMillis) return;
  if (!view.reachable) return;  // no view of who lives: judge nobody
  lastLostNodeSweep_ = now;
  std::vector<std::string> live;
  for (const auto& node : view.nodes) live.push_back(node.id);
  try {
    const int closed = rooms_.store().closeSessionsOfLostNodes(live, now - kLostNodeSessionAgeMillis, now);
    if (closed > 0) {
      lostSessionsClosed_ += static_cast<std::uint64_t>(closed);
      spdlog::info("cluster: closed {} participant session(s) of nodes that are gone", closed);
    }
  } catch (const store::StoreError& e) {
    rooms_.writes().noteError("cluster", e.what());
  }
}

void ClusterNode::confirmHomes() {
  const auto now = unixMillisNow();
  for (const auto& roomId : std::exchange(*lostRooms_, {})) {
    if (!rooms_.handOver(roomId, now)) continue;
    ++roomsHandedOver_;
    spdlog::warn("cluster: room {} is homed on another node now (it was taken while this node was away): "
                 "its people reconnect there", roomId);
  }
  if (now - lastHomesConfirmed_ < kConfirmHomesMillis || !registry_->reachable()) return;
  lastHomesConfirmed_ = now;
  auto rooms = rooms_.liveRoomIds();
  if (rooms.empty()) return;
  homes_->confirm(std::move(rooms), [mailbox = std::weak_ptr<std::vector<std::string>>(lostRooms_)](
                                        std::vector<std::string> lost) {
    if (auto live = mailbox.lock()) *live = std::move(lost);
  });
}

std::string ClusterNode::renderMetrics() const {
  const auto view = registry_->view();
  PrometheusText out;
  out.gauge("parley_cluster_reachable", "1 when the cluster's Redis answered the last heartbeat.", view.reachable ? 1 : 0);
  out.gauge("parley_cluster_nodes", "Live nodes of the cluster, this one included, as the last heartbeat saw them.",
            view.nodes.size());
  out.gauge("parley_cluster_joins_refused", "1 while this node refuses new joins (its Redis did not answer).",
            refusing_ ? 1 : 0);
  out.counter("parley_cluster_lost_node_sessions_closed_total",
              "Participant sessions this node closed in the store because the node that held them was gone.",
              lostSessionsClosed_);
  out.counter("parley_cluster_rooms_handed_over_total",
              "Rooms this node gave up because another node had become their home while this one was away "
              "from the cluster; their people reconnected there.",
              roomsHandedOver_);
  return out.str();
}

}  // namespace parley::app
