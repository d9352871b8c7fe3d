#pragma once
// Clients for driving SignalingSession in tests: peers that record what the server sends
// them (parsed), and a client that speaks through one.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "signaling/SignalingSession.h"

namespace parley::signaling {

using nlohmann::json;

class RecordingPeer : public SignalingPeer {
 public:
  void send(std::string frame) override { frames.push_back(json::parse(frame)); }
  void close() override { closed = true; }

  std::vector<json> ofType(const std::string& type) const {
    std::vector<json> out;
    for (const auto& f : frames) {
      if (f["type"] == type) out.push_back(f);
    }
    return out;
  }
  json last() const { return frames.empty() ? json() : frames.back(); }

  std::vector<json> frames;
  bool closed = false;
};

struct Client {
  Client(RoomRegistry& rooms, const std::string& roomId, ConnectionInfo connection = {})
      : session(rooms, roomId, peer, std::move(connection)) {}
  void say(const json& message, std::int64_t now = 1000) { session.onFrame(message.dump(), now); }
  void join(const std::string& name, const std::string& token = {}) {
    json message = {{"type", "join"}, {"version", 1}, {"name", name}};
    if (!token.empty()) message["token"] = token;
    say(message);
  }
  std::string id() const { return session.participantId(); }

  RecordingPeer peer;
  SignalingSession session;
};

}  // namespace parley::signaling
