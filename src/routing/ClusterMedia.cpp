#include "routing/ClusterMedia.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "common/Prometheus.h"

namespace parley::routing {

namespace {
// A command about one participant of a room (or, with no participant, about the room).
MediaCommand commandFor(MediaCommand::Type type, const std::string& roomId, const std::string& participantId = {}) {
  MediaCommand c;
  c.type = type;
  c.roomId = roomId;
  c.participantId = participantId;
  return c;
}
}  // namespace

ClusterMedia::ClusterMedia(boost::asio::io_context& io, sfu::MediaService& local, ClusterMediaConfig config,
                           std::function<void(const sfu::MediaEvent&)> onEvent)
    : io_(io), local_(local), config_(std::move(config)), onEvent_(std::move(onEvent)), placement_(config_.nodeStreams) {}

ClusterMedia::~ClusterMedia() {
  *alive_ = false;
  for (auto& [id, node] : nodes_) {
    if (node.channel) node.channel->close("stopping");
  }
}

void ClusterMedia::join(const std::string& roomId, const std::string& participantId) {
  if (config_.view) {
    if (const auto nodes = config_.view()) setView(*nodes);
  }
  std::vector<NodeCapacity> live{{config_.nodeId, local_.placedStreams()}};
  for (const auto& [id, node] : nodes_) live.push_back({id, node.record.load.streams});
  const std::string node = placement_.join(roomId, participantId, config_.nodeId, live);
  if (isLocal(node)) {
    local_.join(roomId, participantId);
    return;
  }
  ++remoteJoins_;
  send(node, commandFor(MediaCommand::Type::Join, roomId, participantId));
}

void ClusterMedia::leave(const std::string& roomId, const std::string& participantId) {
  const auto node = placement_.leave(roomId, participantId);
  if (!node) return;
  if (isLocal(*node)) {
    local_.leave(roomId, participantId);
  } else {
    send(*node, commandFor(MediaCommand::Type::Leave, roomId, participantId));
  }
  const auto hosts = placement_.nodesOf(roomId);
  if (hosts.empty()) {
    shards_.erase(roomId);
    told_.erase(roomId);
  } else if (std::find(hosts.begin(), hosts.end(), *node) == hosts.end()) {
    // Nobody of the room there any more: the others stop cascading to it at once.
    if (auto it = shards_.find(roomId); it != shards_.end()) it->second.erase(*node);
    distributeShards(roomId);
  }
}

void ClusterMedia::publish(const std::string& roomId, const std::string& participantId, std::string offer,
                           std::map<std::string, sfu::TrackSource> sources) {
  const auto node = placement_.nodeOf(roomId, participantId);
  if (!node) return;
  placement_.setPublishedTracks(roomId, participantId, sfu::sentTracks(offer));
  if (isLocal(*node)) return local_.publish(roomId, participantId, std::move(offer), std::move(sources));
  MediaCommand c = commandFor(MediaCommand::Type::Publish, roomId, participantId);
  c.sdp = std::move(offer);
  c.sources = std::move(sources);
  send(*node, c);
}

void ClusterMedia::subscriberAnswer(const std::string& roomId, const std::string& participantId, std::string answer) {
  const auto node = placement_.nodeOf(roomId, participantId);
  if (!node) return;
  if (isLocal(*node)) return local_.subscriberAnswer(roomId, participantId, std::move(answer));
  MediaCommand c = commandFor(MediaCommand::Type::Answer, roomId, participantId);
  c.sdp = std::move(answer);
  send(*node, c);
}

void ClusterMedia::showTracks(const std::string& roomId, const std::string& participantId,
                              std::vector<sfu::ShownTrack> shown) {
  const auto node = placement_.nodeOf(roomId, participantId);
  if (!node) return;
  if (isLocal(*node)) return local_.showTracks(roomId, participantId, std::move(shown));
  MediaCommand c = commandFor(MediaCommand::Type::Show, roomId, participantId);
  c.shown = std::move(shown);
  send(*node, c);
}

void ClusterMedia::setView(const std::vector<cluster::NodeRecord>& records) {
  std::vector<std::string> gone;
  for (const auto& entry : nodes_) {
    const cluster::NodeRecord& known = entry.second.record;
    const auto still = std::find_if(records.begin(), records.end(), [&](const auto& r) {
      return r.id == known.id && r.mediaPort == known.mediaPort && r.address == known.address;
    });
    if (still == records.end()) gone.push_back(entry.first);
  }
  for (const auto& id : gone) {
    lose(id, "it left the cluster");
    nodes_.erase(id);
  }
  for (const auto& record : records) {
    if (isLocal(record.id) || record.mediaPort == 0) continue;
    nodes_[record.id].record = record;  // the load refreshes; a new node is added
  }
}

void ClusterMedia::send(const std::string& nodeId, const MediaCommand& command) {
  const auto it = nodes_.find(nodeId);
  if (it == nodes_.end()) return lose(nodeId, "it is not in the cluster's view");
  RemoteNode& node = it->second;
  std::string message = encodeCommand(command);
  if (node.channel && node.channel->open()) return node.channel->send(std::move(message));
  node.pending.push_back(std::move(message));
  if (!node.connecting) connect(node);
}

void ClusterMedia::connect(RemoteNode& node) {
  node.connecting = true;
  const std::string id = node.record.id;
  NodeChannel::connect(io_, node.record.address, node.record.mediaPort,
                       [this, alive = alive_, id](std::shared_ptr<NodeChannel> channel, const std::string& why) {
                         if (!*alive) return;
                         const auto it = nodes_.find(id);
                         if (it == nodes_.end()) return;
                         RemoteNode& node = it->second;
                         node.connecting = false;
                         const std::string key = config_.key ? config_.key() : std::string();
                         if (!channel || key.empty()) return lose(id, channel ? "the cluster's key is not known yet" : why);
                         node.channel = channel;
                         channel->start([this, alive, id](std::string message) { if (*alive) onReport(id, message); },
                                        [this, alive, id](const std::string& reason) { if (*alive) lose(id, reason); });
                         channel->send(encodeHello({config_.nodeId, key}));
                         for (auto& message : node.pending) channel->send(std::move(message));
                         node.pending.clear();
                       });
}

void ClusterMedia::onReport(const std::string& nodeId, const std::string& message) {
  std::string error;
  const auto report = decodeReport(message, error);
  if (!report) {
    spdlog::warn("cascade: a malformed report from node {}: {}", nodeId, error);
    return;
  }
  if (report->type == MediaReport::Type::Shards) {
    const auto hosts = placement_.nodesOf(report->roomId);
    if (std::find(hosts.begin(), hosts.end(), nodeId) == hosts.end()) return;  // it left the room since
    if (report->shards.empty()) shards_[report->roomId].erase(nodeId);
    else shards_[report->roomId][nodeId] = report->shards;
    distributeShards(report->roomId);
    return;
  }
  const sfu::MediaEvent& event = report->event;
  // A node speaks for the participants placed on it only; the home reports the speaker.
  if (event.type == sfu::MediaEvent::Type::ActiveSpeaker) return;
  if (placement_.nodeOf(event.roomId, event.participantId) != nodeId) return;
  onEvent_(event);
}

void ClusterMedia::lose(const std::string& nodeId, const std::string& why) {
  if (const auto it = nodes_.find(nodeId); it != nodes_.end()) {
    if (it->second.channel) it->second.channel->close(why);
    it->second.channel.reset();
    it->second.connecting = false;
    it->second.pending.clear();
  }
  const auto lost = placement_.placedOn(nodeId);
  if (lost.empty()) return;
  spdlog::warn("cascade: node {} is lost ({}): the media of {} participants ends", nodeId, why, lost.size());
  for (const auto& [roomId, participantId] : lost) {
    placement_.leave(roomId, participantId);
    if (auto it = shards_.find(roomId); it != shards_.end()) it->second.erase(nodeId);
  }
  for (const auto& [roomId, participantId] : lost) {
    ++lostParticipants_;
    distributeShards(roomId);
    // Posted: this may run inside a room's own call (a join, a leave).
    boost::asio::post(io_, [this, alive = alive_, event = sfu::MediaEvent{sfu::MediaEvent::Type::TransportClosed, roomId,
                                                                          participantId, {}, {},
                                                                          "its media node was lost: " + why, {}, {}}] {
      if (*alive) onEvent_(event);
    });
  }
}

void ClusterMedia::onLocalShardsChanged(const std::string& roomId) {
  const auto hosts = placement_.nodesOf(roomId);
  if (hosts.empty() && !shards_.count(roomId)) return;  // not a room homed here
  const auto local = local_.localShards(roomId);
  if (local.empty()) {
    if (auto it = shards_.find(roomId); it != shards_.end()) it->second.erase(config_.nodeId);
  } else {
    auto& mine = shards_[roomId][config_.nodeId];
    mine.clear();
    for (const auto& [worker, port] : local) mine.push_back({worker, port});
  }
  distributeShards(roomId);
}

std::vector<sfu::RemoteShard> ClusterMedia::shardsOf(const std::string& roomId, const std::string& exceptNode) const {
  std::vector<sfu::RemoteShard> out;
  const auto room = shards_.find(roomId);
  if (room == shards_.end()) return out;
  for (const auto& [nodeId, shards] : room->second) {
    if (nodeId == exceptNode) continue;
    std::string address;
    if (isLocal(nodeId)) {
      address = config_.nodeAddress;
    } else if (const auto it = nodes_.find(nodeId); it != nodes_.end()) {
      address = it->second.record.address;
    } else {
      continue;
    }
    for (const auto& s : shards) out.push_back({nodeId, s.worker, address, s.port});
  }
  return out;
}

void ClusterMedia::distributeShards(const std::string& roomId) {
  const auto room = shards_.find(roomId);
  auto& told = told_[roomId];
  if (room == shards_.end()) {
    told_.erase(roomId);
    return;
  }
  for (auto it = told.begin(); it != told.end();) {  // nodes that no longer host it
    it = room->second.count(it->first) ? std::next(it) : told.erase(it);
  }
  const std::string key = config_.key ? config_.key() : std::string();
  for (const auto& [nodeId, mine] : room->second) {
    auto others = shardsOf(roomId, nodeId);
    const auto previous = told.find(nodeId);
    if (previous != told.end() && previous->second == others) continue;
    told[nodeId] = others;
    if (isLocal(nodeId)) {
      local_.setRemoteShards(roomId, std::move(others), true, key);
    } else {
      MediaCommand c = commandFor(MediaCommand::Type::Shards, roomId);
      c.shards = std::move(others);
      send(nodeId, c);
    }
  }
}

std::string ClusterMedia::renderMetrics() const {
  PrometheusText out;
  out.gauge("parley_cascade_rooms_spanning_nodes", "Rooms homed here whose media spans more than one node.",
            placement_.roomsSpanningNodes());
  out.counter("parley_cascade_remote_joins_total", "Participants of rooms homed here whose media went to another node.",
              remoteJoins_);
  out.counter("parley_cascade_lost_participants_total",
              "Participants whose media ended because their media node was lost.", lostParticipants_);
  return out.str();
}

}  // namespace parley::routing
