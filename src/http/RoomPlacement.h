#pragma once
// Where a room's signaling is served, for a node of a cluster (app/ClusterNode implements it
// on the cluster layer; a single server has none): here, or relayed to the room's home node.
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace parley::http {

// A room's home on another node, as this node relays to it.
struct RelayTarget {
  std::string nodeId;   // for logs
  std::string address;  // the home node's --node-address (an IP)
  std::uint16_t port = 0;
  std::string key;  // the cluster's relay key, which the home checks
  // Called when the home's port refuses the connection: nothing listens there any more (its
  // process died), so the cluster need not wait for its record to expire to move its rooms.
  std::function<void()> refused;
};

// Headers of a relayed upgrade: the key, and the client as the relaying node saw it (its
// address, and whether it came over HTTPS), which the home takes instead of the relaying
// node's own.
inline constexpr std::string_view kRelayKeyHeader = "X-Parley-Relay";
inline constexpr std::string_view kRelayClientHeader = "X-Parley-Relay-Client";
inline constexpr std::string_view kRelayHttpsHeader = "X-Parley-Relay-Https";

// What a client is told (with 503 and Retry-After) when its room's home cannot be reached.
inline constexpr std::string_view kHomeUnreachable = "this meeting's node cannot be reached just now; try again";

// Where a room's signaling goes.
struct Placement {
  enum class Kind {
    Here,         // this node is the room's home, or the cluster cannot tell (then this
                  // node's own rules on joins apply: it refuses new ones while Redis is away)
    Relay,        // to `home`
    Unavailable,  // the home cannot be relayed to just now: the client tries again
  } kind = Kind::Here;
  RelayTarget home;
};

class RoomPlacement {
 public:
  virtual ~RoomPlacement() = default;
  // Calls `done` on the control thread.
  virtual void place(const std::string& roomId, std::function<void(Placement)> done) = 0;
  // Whether `key` is the cluster's relay key (compared in constant time).
  virtual bool isRelayKey(std::string_view key) const = 0;
  // Whether `peer` is a node of the cluster (as the last heartbeat saw them). A node relays
  // many clients: its connections are not counted against its own address, but each relayed
  // client against the address the relay names, as behind a trusted proxy.
  virtual bool isClusterNode(const boost::asio::ip::address& peer) const = 0;
};

}  // namespace parley::http
