#pragma once
// For tests of the cluster's relays: a placement that sends every room to one home on
// loopback (or keeps it here, for the home itself), knows the cluster's key, and counts the
// times the relay found the home's port refusing.
#include <atomic>
#include <cstdint>
#include <vector>
#include <string>

#include "http/HttpPolicy.h"
#include "http/RoomPlacement.h"

namespace parley::http::testing {

inline constexpr const char* kClusterKey = "the-cluster-relay-key-of-at-least-32-chars";

class FixedPlacement : public RoomPlacement {
 public:
  // `homePort` 0: every room is served here.
  FixedPlacement(std::uint16_t homePort, std::string key) : homePort_(homePort), key_(std::move(key)) {}
  void place(const std::string&, std::function<void(Placement)> done) override {
    if (homePort_ == 0) return done({});
    done({Placement::Kind::Relay, {"home", "127.0.0.1", homePort_, key_, [this] { ++refused; }}});
  }
  bool isRelayKey(std::string_view key) const override { return key == kClusterKey; }
  bool isClusterNode(const boost::asio::ip::address& peer) const override { return inAny(nodes, peer); }
  std::atomic<int> refused{0};
  std::vector<IpNetwork> nodes;  // the addresses of the cluster's nodes: none unless a test says

 private:
  std::uint16_t homePort_;
  std::string key_;
};

}  // namespace parley::http::testing
