#pragma once
// The protocol state of one connection: before join, in a room, ended. The transport feeds
// it frames and tells it when the connection ends; it answers through its SignalingPeer.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "signaling/RateLimiter.h"
#include "signaling/RoomRegistry.h"
#include "signaling/SignalingPeer.h"

namespace parley::signaling {

// What the transport knows of the connection when it opens.
struct ConnectionInfo {
  std::string device;   // names the browser (a cookie the web client gets); empty for other clients
  std::string address;  // the client's address, for per-address limits
  std::optional<Identity> identity;  // the signed-in user its session cookie names
};

class SignalingSession {
 public:
  SignalingSession(RoomRegistry& registry, std::string roomId, SignalingPeer& peer, ConnectionInfo connection = {});
  ~SignalingSession();
  SignalingSession(const SignalingSession&) = delete;
  SignalingSession& operator=(const SignalingSession&) = delete;

  void onFrame(std::string_view frame, std::int64_t nowMillis);
  // A frame was refused by the transport for its size before it reached us.
  void onOversizedFrame();
  // The connection is gone: "closed" (the client closed it, or was refused: it leaves now),
  // or "disconnected" or "timeout" (broken: it stays away for a while, to resume).
  void onClosed(std::string_view reason, std::int64_t nowMillis);

  bool joined() const;
  // In the room's waiting room, not admitted yet.
  bool waiting() const;
  const std::string& participantId() const { return participantId_; }

 private:
  void reject(const ProtocolError& error);
  void handleJoin(const JoinRequest& join, std::int64_t now);
  std::variant<std::string, ProtocolError> admit(Room& room, Newcomer who, std::int64_t now);
  void handle(const ClientMessage& message, std::int64_t now);
  void leaveRoom(std::string_view reason, std::int64_t now);

  RoomRegistry& registry_;
  std::string roomId_;
  ConnectionInfo connection_;
  SignalingPeer& peer_;
  RateLimiter limiter_;
  std::shared_ptr<Room> room_;
  std::string participantId_;
};

}  // namespace parley::signaling
