#pragma once
// A node's media as other nodes' rooms use it: when a room's home places a participant's
// media here (routing::ClusterMedia there), it opens a NodeChannel to this node's agent and
// drives this node's MediaService by room and participant id; the agent sends back the
// media events of those rooms and which of its workers host them (for the cascade). A
// channel must say the cluster's key first (compared in constant time) within 5 s; it only
// reaches the participants it joined itself. When a channel closes (its home died, or left
// the cluster), its participants' media here ends. Control thread only.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "routing/MediaMessages.h"
#include "routing/NodeChannel.h"
#include "sfu/MediaService.h"

namespace parley::routing {

class MediaAgent {
 public:
  // Listens on `address` (the node's), on any free port. `key`: the cluster's (empty until
  // known), which channels must say and which keys the cascade.
  MediaAgent(boost::asio::io_context& io, const std::string& address, sfu::MediaService& media,
             std::function<std::string()> key);
  ~MediaAgent();
  std::uint16_t port() const { return port_; }

  // Whether `roomId`'s media here is driven by another node's home: its events and shard
  // changes go there, through these.
  bool serves(const std::string& roomId) const { return rooms_.count(roomId) > 0; }
  void onMediaEvent(const sfu::MediaEvent& event);
  void onShardsChanged(const std::string& roomId);
  std::string renderMetrics() const;

  // Participants one channel may place here: far above a node's capacity, a bound all the same.
  static constexpr std::size_t kMaxParticipantsPerChannel = 100000;
  // Channels open at once (a cluster has a few nodes), and of those not yet authenticated:
  // connections past either are closed at once, so nobody on the nodes' network can hold
  // this node's descriptors.
  static constexpr std::size_t kMaxChannels = 256;
  static constexpr std::size_t kMaxUnauthenticated = 16;

 private:
  struct Channel {
    std::shared_ptr<NodeChannel> channel;
    std::string homeId;  // once it said the key
    std::set<std::pair<std::string, std::string>> participants;  // (room, participant)
  };
  void accept();
  void onMessage(std::uint64_t id, const std::string& message);
  void onCommand(std::uint64_t id, Channel& channel, const MediaCommand& command);
  void onClosed(std::uint64_t id, const std::string& why);
  void report(const std::string& roomId, const MediaReport& report);

  boost::asio::io_context& io_;
  sfu::MediaService& media_;
  std::function<std::string()> key_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::uint64_t nextId_ = 1;
  std::unordered_map<std::uint64_t, Channel> channels_;
  std::unordered_map<std::string, std::uint64_t> rooms_;  // served rooms: which channel drives each
  std::uint64_t refused_ = 0, commands_ = 0, malformed_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for timers that outlive this
};

}  // namespace parley::routing
