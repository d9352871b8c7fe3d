#pragma once
// The media plane of the rooms homed on this node, on a cluster: each participant's media
// goes to a node (NodePlacement: the home first, then other nodes past --node-streams), this
// node's own MediaService or another node's, driven through a NodeChannel to its MediaAgent.
// Their events come back as this node's own. The nodes hosting a room are told where its
// other shards are, so their workers cascade its tracks to each other (cascade::CascadeLink);
// the home leads the room's media (speaker, taps, recording). A node whose channel breaks,
// or that leaves the cluster's view, takes its participants' media with it: they get a
// TransportClosed event, and their clients reconnect. Control thread only.
#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cluster/NodeRecord.h"
#include "routing/MediaMessages.h"
#include "routing/NodeChannel.h"
#include "routing/NodePlacement.h"
#include "sfu/MediaPlane.h"
#include "sfu/MediaService.h"

namespace parley::routing {

struct ClusterMediaConfig {
  std::string nodeId;
  std::string nodeAddress;
  std::size_t nodeStreams = 0;  // 0: a room's media stays on its home
  std::function<std::string()> key;  // the cluster's, once known (empty until then)
  // The live nodes as the last heartbeat saw them, or nothing while Redis is unreachable:
  // read at each join, so that a node that joined the cluster a moment ago takes media.
  std::function<std::optional<std::vector<cluster::NodeRecord>>()> view;
};

class ClusterMedia : public sfu::MediaPlane {
 public:
  // `onEvent` gets every media event of this node's rooms, wherever their media is.
  ClusterMedia(boost::asio::io_context& io, sfu::MediaService& local, ClusterMediaConfig config,
               std::function<void(const sfu::MediaEvent&)> onEvent);
  ~ClusterMedia() override;

  void join(const std::string& roomId, const std::string& participantId) override;
  void leave(const std::string& roomId, const std::string& participantId) override;
  void publish(const std::string& roomId, const std::string& participantId, std::string offer,
               std::map<std::string, sfu::TrackSource> sources) override;
  void subscriberAnswer(const std::string& roomId, const std::string& participantId, std::string answer) override;
  void showTracks(const std::string& roomId, const std::string& participantId,
                  std::vector<sfu::ShownTrack> shown) override;

  // The cluster's live nodes (at each upkeep, and at each join from config.view): where
  // media may go. Nodes gone from it lose their participants' media.
  void setView(const std::vector<cluster::NodeRecord>& nodes);
  // This node's MediaService hosts a room on other workers now.
  void onLocalShardsChanged(const std::string& roomId);
  std::string renderMetrics() const;

 private:
  struct RemoteNode {
    cluster::NodeRecord record;
    std::shared_ptr<NodeChannel> channel;
    bool connecting = false;
    std::vector<std::string> pending;  // messages waiting for the channel
  };
  bool isLocal(const std::string& nodeId) const { return nodeId == config_.nodeId; }
  void send(const std::string& nodeId, const MediaCommand& command);
  void connect(RemoteNode& node);
  void onReport(const std::string& nodeId, const std::string& message);
  void lose(const std::string& nodeId, const std::string& why);
  // Tells every node hosting the room where its other shards are, when that changed.
  void distributeShards(const std::string& roomId);
  std::vector<sfu::RemoteShard> shardsOf(const std::string& roomId, const std::string& exceptNode) const;

  boost::asio::io_context& io_;
  sfu::MediaService& local_;
  ClusterMediaConfig config_;
  std::function<void(const sfu::MediaEvent&)> onEvent_;
  NodePlacement placement_;
  std::map<std::string, RemoteNode> nodes_;  // live nodes other than this one, by id
  // Each room's shards, by node (this one included), as the nodes reported them.
  std::unordered_map<std::string, std::map<std::string, std::vector<LocalShard>>> shards_;
  // What each node was last told of a room's other shards.
  std::unordered_map<std::string, std::map<std::string, std::vector<sfu::RemoteShard>>> told_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for callbacks that outlive this
  std::uint64_t remoteJoins_ = 0, lostParticipants_ = 0;
};

}  // namespace parley::routing
