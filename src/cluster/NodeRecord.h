#pragma once
// What a node of a cluster says about itself in Redis, and reads about the others: who it
// is, where other nodes reach it, and how loaded it is (for placing rooms and media).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::cluster {

struct NodeLoad {
  std::uint32_t participants = 0;
  std::uint32_t streams = 0;  // tracks forwarded to subscribers
  double cpu = 0;             // cores this process used over the last heartbeat (1.5: one and a half)
};

struct NodeRecord {
  std::string id;
  std::string address;  // --node-address: how the other nodes reach this one
  std::uint16_t httpPort = 0;  // where the other nodes relay signaling to it (0: not yet listening)
  std::uint16_t mediaPort = 0;  // where rooms' homes drive its media (routing::MediaAgent; 0: none)
  std::int64_t startedAt = 0;  // unix milliseconds
  NodeLoad load;
};

std::string encodeNodeRecord(const NodeRecord& node);
// Nothing for a record that is not one of ours (another program's key, a newer format).
std::optional<NodeRecord> decodeNodeRecord(const std::string& json);

// The cluster as one node last saw it.
struct ClusterView {
  bool reachable = false;  // Redis answered the last heartbeat
  std::string error;       // why not, when not
  std::vector<NodeRecord> nodes;  // alive ones, this node included, by id
};

}  // namespace parley::cluster
