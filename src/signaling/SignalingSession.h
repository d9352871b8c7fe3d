#pragma once
// The protocol state of one connection: before join, in a room, ended. The transport feeds
// it frames and tells it when the connection ends; it answers through its SignalingPeer.
#include <memory>
#include <string>
#include <string_view>

#include "signaling/RateLimiter.h"
#include "signaling/RoomRegistry.h"
#include "signaling/SignalingPeer.h"

namespace parley::signaling {

class SignalingSession {
 public:
  // `device` names the browser (a cookie the web client gets); empty for other clients.
  SignalingSession(RoomRegistry& registry, std::string roomId, SignalingPeer& peer, std::string device = {});
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
  const std::string& participantId() const { return participantId_; }

 private:
  void reject(const ProtocolError& error);
  void handleJoin(const JoinRequest& join, std::int64_t now);
  void handle(const ClientMessage& message, std::int64_t now);
  void leaveRoom(std::string_view reason, std::int64_t now);

  RoomRegistry& registry_;
  std::string roomId_;
  std::string device_;
  SignalingPeer& peer_;
  RateLimiter limiter_;
  std::shared_ptr<Room> room_;
  std::string participantId_;
};

}  // namespace parley::signaling
