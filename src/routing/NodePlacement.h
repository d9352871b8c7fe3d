#pragma once
// On which node each participant's media goes, for the rooms homed on this node. A room
// starts on its home and stays on the nodes already hosting it while the least busy of them
// can take one more participant within `nodeStreams` (tracks forwarded to subscribers,
// estimated: each participant receives every track the room publishes, and a newcomer is
// counted as a microphone and a camera until it publishes); past that, the participant goes
// to the least busy live node not hosting the room yet (by the streams it reported), and
// the room spans one more node. Control thread only; a pure model, tested on its own.
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::routing {

// A live node as the cluster's last view says.
struct NodeCapacity {
  std::string nodeId;
  std::size_t streams = 0;  // what it forwards now, from its last heartbeat
};

class NodePlacement {
 public:
  // 0: no limit (every room stays on its home).
  explicit NodePlacement(std::size_t nodeStreams) : nodeStreams_(nodeStreams) {}

  // The node for a participant joining `roomId`, among `live` (the home included); already
  // placed: where it is.
  std::string join(const std::string& roomId, const std::string& participantId, const std::string& home,
                   const std::vector<NodeCapacity>& live);
  // Forgets a participant; returns its node.
  std::optional<std::string> leave(const std::string& roomId, const std::string& participantId);
  void setPublishedTracks(const std::string& roomId, const std::string& participantId, std::size_t tracks);
  std::optional<std::string> nodeOf(const std::string& roomId, const std::string& participantId) const;
  // The nodes hosting someone of the room.
  std::vector<std::string> nodesOf(const std::string& roomId) const;
  // Participants of every room placed on `nodeId` (its channel broke: they lose their media).
  std::vector<std::pair<std::string, std::string>> placedOn(const std::string& nodeId) const;
  std::size_t roomsSpanningNodes() const;
  // The streams the room's participants on `nodeId` are estimated to take.
  std::size_t estimatedStreams(const std::string& roomId, const std::string& nodeId) const;

  static constexpr std::size_t kAssumedTracks = 2;  // a newcomer: microphone and camera

 private:
  struct Member {
    std::string node;
    std::size_t tracks = 0;
  };
  struct Room {
    std::unordered_map<std::string, Member> members;
    std::unordered_map<std::string, std::size_t> perNode;  // participants
    std::size_t tracks = 0;
  };
  std::size_t projected(const Room& room, const std::string& nodeId) const;

  std::size_t nodeStreams_;
  std::unordered_map<std::string, Room> rooms_;
};

}  // namespace parley::routing
