#include "signaling/SignalingSession.h"

#include "common/Clock.h"
#include "common/Metrics.h"
#include "store/Database.h"

namespace parley::signaling {

namespace {
// Generous for people (typing, reactions, hand), tight for a flooding script.
constexpr double kMessagesPerSecond = 10;
constexpr double kMessageBurst = 40;

void countError(ErrorCode code) {
  auto& m = metrics();
  switch (code) {
    case ErrorCode::Malformed: m.signalingErrorMalformed++; break;
    case ErrorCode::TooLarge: m.signalingErrorTooLarge++; break;
    case ErrorCode::UnknownType: m.signalingErrorUnknownType++; break;
    case ErrorCode::RateLimited: m.signalingErrorRateLimited++; break;
    case ErrorCode::Forbidden: m.signalingErrorForbidden++; break;
    case ErrorCode::Unavailable: m.signalingErrorUnavailable++; break;
    default: m.signalingErrorInvalid++; break;
  }
}
}  // namespace

SignalingSession::SignalingSession(RoomRegistry& registry, std::string roomId, SignalingPeer& peer, std::string device)
    : registry_(registry),
      roomId_(std::move(roomId)),
      device_(std::move(device)),
      peer_(peer),
      limiter_(kMessagesPerSecond, kMessageBurst) {}

SignalingSession::~SignalingSession() {
  // A connection that goes without a word (its owner destroyed it) still leaves its room:
  // the room must never keep a peer that no longer exists.
  try {
    leaveRoom("disconnected", unixMillisNow());
  } catch (const std::exception&) {
  }
}

bool SignalingSession::joined() const { return room_ && room_->has(participantId_); }

void SignalingSession::reject(const ProtocolError& error) {
  countError(error.code);
  metrics().signalingMessagesOut++;
  peer_.send(errorFrame(error));
}

void SignalingSession::onOversizedFrame() {
  reject({ErrorCode::TooLarge, "message is larger than 768 KiB"});
}

void SignalingSession::onFrame(std::string_view frame, std::int64_t now) {
  metrics().signalingMessagesIn++;
  if (!limiter_.allow(now)) return reject({ErrorCode::RateLimited, "too many messages; slow down"});
  auto parsed = parseClientMessage(frame);
  if (auto* error = std::get_if<ProtocolError>(&parsed)) return reject(*error);
  try {
    handle(std::get<ClientMessage>(parsed), now);
  } catch (const store::StoreError& e) {
    // The database refused (locked, full): this message fails, the meeting goes on.
    registry_.writes().noteError("signaling", e.what());
    reject({ErrorCode::Unavailable, "the server could not save this just now; try again"});
  }
}

void SignalingSession::handle(const ClientMessage& message, std::int64_t now) {
  if (auto* join = std::get_if<JoinRequest>(&message)) return handleJoin(*join, now);
  if (std::holds_alternative<PingRequest>(message)) {
    metrics().signalingMessagesOut++;
    return peer_.send(pongFrame());
  }
  if (!joined()) return reject({ErrorCode::NotJoined, "join the meeting first"});
  std::visit(
      [&](const auto& request) {
        using T = std::decay_t<decltype(request)>;
        if constexpr (std::is_same_v<T, ChatRequest>) {
          if (auto error = room_->chat(participantId_, request.text, now)) reject(*error);
        } else if constexpr (std::is_same_v<T, ChatHistoryRequest>) {
          room_->chatHistory(participantId_, request.beforeId);
        } else if constexpr (std::is_same_v<T, HandRequest>) {
          room_->setHand(participantId_, request.raised);
        } else if constexpr (std::is_same_v<T, ReactionRequest>) {
          room_->react(participantId_, request.reaction);
        } else if constexpr (std::is_same_v<T, MediaStateRequest>) {
          room_->setMediaState(participantId_, request);
        } else if constexpr (std::is_same_v<T, ModerateRequest>) {
          if (auto error = room_->moderate(participantId_, request, now)) reject(*error);
        } else if constexpr (std::is_same_v<T, PublishRequest>) {
          room_->publish(participantId_, request);
        } else if constexpr (std::is_same_v<T, SubscribeAnswerRequest>) {
          room_->subscribeAnswer(participantId_, request);
        } else if constexpr (std::is_same_v<T, LeaveRequest>) {
          leaveRoom("left", now);
          peer_.close();
        }
      },
      message);
}

void SignalingSession::handleJoin(const JoinRequest& join, std::int64_t now) {
  if (room_) return reject({ErrorCode::AlreadyJoined, "this connection has joined already"});
  auto room = registry_.open(roomId_);
  if (!room) {
    reject({ErrorCode::NotFound, "no meeting with this code"});
    return peer_.close();
  }
  Role role = Role::Member;
  if (join.token) {
    if (!RoomRegistry::isModeratorToken(room->record(), *join.token)) {
      registry_.release(roomId_);
      return reject({ErrorCode::Forbidden, "the moderator token is not valid for this meeting"});
    }
    role = Role::Moderator;
  }
  std::variant<std::string, ProtocolError> result;
  try {
    // Back after a broken connection: the same participant, if the window has not closed;
    // otherwise an ordinary join.
    if (join.resume) {
      if (auto resumed = room->resume(peer_, *join.resume, now)) {
        room_ = std::move(room);
        participantId_ = std::move(*resumed);
        return;
      }
    }
    result = room->join(peer_, join.name, role, device_, now);
  } catch (const store::StoreError&) {
    registry_.release(roomId_);  // the room stays as it was, and goes if nobody is in it
    throw;
  }
  if (auto* error = std::get_if<ProtocolError>(&result)) {
    registry_.release(roomId_);
    return reject(*error);
  }
  room_ = std::move(room);
  participantId_ = std::get<std::string>(result);
}

void SignalingSession::leaveRoom(std::string_view reason, std::int64_t now) {
  if (!room_) return;
  room_->leave(participantId_, reason, now);
  registry_.release(roomId_);
  room_.reset();
}

void SignalingSession::onClosed(std::string_view reason, std::int64_t now) {
  if (!room_) return;
  if (reason == "closed") return leaveRoom("disconnected", now);
  // Broken, not closed: the client may come back with its resume token.
  room_->detach(participantId_, peer_, now);
  room_.reset();
}

}  // namespace parley::signaling
