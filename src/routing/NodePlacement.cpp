#include "routing/NodePlacement.h"

#include <algorithm>
#include <limits>

namespace parley::routing {

std::size_t NodePlacement::projected(const Room& room, const std::string& nodeId) const {
  const auto it = room.perNode.find(nodeId);
  const std::size_t here = it == room.perNode.end() ? 0 : it->second;
  return (here + 1) * (room.tracks + kAssumedTracks);
}

std::size_t NodePlacement::estimatedStreams(const std::string& roomId, const std::string& nodeId) const {
  const auto room = rooms_.find(roomId);
  if (room == rooms_.end()) return 0;
  const auto it = room->second.perNode.find(nodeId);
  return it == room->second.perNode.end() ? 0 : it->second * room->second.tracks;
}

std::string NodePlacement::join(const std::string& roomId, const std::string& participantId, const std::string& home,
                                const std::vector<NodeCapacity>& live) {
  Room& room = rooms_[roomId];
  if (const auto it = room.members.find(participantId); it != room.members.end()) return it->second.node;
  const auto isLive = [&](const std::string& id) {
    return std::any_of(live.begin(), live.end(), [&](const NodeCapacity& n) { return n.nodeId == id; });
  };
  std::string chosen;
  if (room.members.empty() || nodeStreams_ == 0) {
    chosen = home;
  } else {
    // The least busy hosting node that takes one more.
    std::size_t best = std::numeric_limits<std::size_t>::max();
    for (const auto& [node, count] : room.perNode) {
      if (count == 0 || (node != home && !isLive(node))) continue;
      const std::size_t load = projected(room, node);
      if (load <= nodeStreams_ && (load < best || (load == best && node < chosen))) {
        best = load;
        chosen = node;
      }
    }
    // Else a live node the room is not on yet, the least busy by what it reported.
    if (chosen.empty()) {
      std::size_t lightest = std::numeric_limits<std::size_t>::max();
      for (const auto& node : live) {
        const auto hosted = room.perNode.find(node.nodeId);
        if (hosted != room.perNode.end() && hosted->second > 0) continue;
        if (node.streams < lightest || (node.streams == lightest && node.nodeId < chosen)) {
          lightest = node.streams;
          chosen = node.nodeId;
        }
      }
    }
    // Else every node hosts it already and all are full: the least busy hosting one.
    if (chosen.empty()) {
      std::size_t best2 = std::numeric_limits<std::size_t>::max();
      for (const auto& [node, count] : room.perNode) {
        if (count == 0 || (node != home && !isLive(node))) continue;
        if (projected(room, node) < best2) {
          best2 = projected(room, node);
          chosen = node;
        }
      }
    }
    if (chosen.empty()) chosen = home;
  }
  room.members[participantId] = {chosen, 0};
  ++room.perNode[chosen];
  return chosen;
}

std::optional<std::string> NodePlacement::leave(const std::string& roomId, const std::string& participantId) {
  const auto room = rooms_.find(roomId);
  if (room == rooms_.end()) return std::nullopt;
  const auto it = room->second.members.find(participantId);
  if (it == room->second.members.end()) return std::nullopt;
  std::string node = it->second.node;
  room->second.tracks -= std::min(room->second.tracks, it->second.tracks);
  room->second.members.erase(it);
  if (--room->second.perNode[node] == 0) room->second.perNode.erase(node);
  if (room->second.members.empty()) rooms_.erase(room);
  return node;
}

void NodePlacement::setPublishedTracks(const std::string& roomId, const std::string& participantId, std::size_t tracks) {
  const auto room = rooms_.find(roomId);
  if (room == rooms_.end()) return;
  const auto it = room->second.members.find(participantId);
  if (it == room->second.members.end()) return;
  room->second.tracks = room->second.tracks - std::min(room->second.tracks, it->second.tracks) + tracks;
  it->second.tracks = tracks;
}

std::optional<std::string> NodePlacement::nodeOf(const std::string& roomId, const std::string& participantId) const {
  const auto room = rooms_.find(roomId);
  if (room == rooms_.end()) return std::nullopt;
  const auto it = room->second.members.find(participantId);
  if (it == room->second.members.end()) return std::nullopt;
  return it->second.node;
}

std::vector<std::string> NodePlacement::nodesOf(const std::string& roomId) const {
  std::vector<std::string> out;
  const auto room = rooms_.find(roomId);
  if (room == rooms_.end()) return out;
  for (const auto& [node, count] : room->second.perNode) {
    if (count > 0) out.push_back(node);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> NodePlacement::placedOn(const std::string& nodeId) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [roomId, room] : rooms_) {
    for (const auto& [participantId, member] : room.members) {
      if (member.node == nodeId) out.emplace_back(roomId, participantId);
    }
  }
  return out;
}

std::size_t NodePlacement::roomsSpanningNodes() const {
  return static_cast<std::size_t>(
      std::count_if(rooms_.begin(), rooms_.end(), [](const auto& r) { return r.second.perNode.size() > 1; }));
}

}  // namespace parley::routing
