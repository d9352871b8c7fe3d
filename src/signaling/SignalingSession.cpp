#include "signaling/SignalingSession.h"

#include "common/Clock.h"
#include "common/Metrics.h"
#include "signaling/Validation.h"
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
    case ErrorCode::Locked: m.signalingErrorForbidden++; break;
    default: m.signalingErrorInvalid++; break;
  }
}
}  // namespace

SignalingSession::SignalingSession(RoomRegistry& registry, std::string roomId, SignalingPeer& peer,
                                   ConnectionInfo connection)
    : registry_(registry),
      roomId_(std::move(roomId)),
      connection_(std::move(connection)),
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

bool SignalingSession::waiting() const { return room_ && room_->isWaiting(participantId_); }

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
  if (std::holds_alternative<LeaveRequest>(message) && waiting()) {
    leaveRoom("left", now);
    return peer_.close();
  }
  if (!joined()) {
    if (waiting()) return reject({ErrorCode::NotJoined, "wait until a moderator lets you in"});
    return reject({ErrorCode::NotJoined, "join the meeting first"});
  }
  std::visit(
      [&](const auto& request) {
        using T = std::decay_t<decltype(request)>;
        if constexpr (std::is_same_v<T, ChatRequest>) {
          if (auto error = room_->chat(participantId_, request.text, now)) reject(*error);
        } else if constexpr (std::is_same_v<T, ChatHistoryRequest>) {
          room_->chatHistory(participantId_, request.beforeId);
        } else if constexpr (std::is_same_v<T, HandRequest>) {
          room_->setHand(participantId_, request.raised, now);
        } else if constexpr (std::is_same_v<T, ReactionRequest>) {
          room_->react(participantId_, request.reaction);
        } else if constexpr (std::is_same_v<T, MediaStateRequest>) {
          room_->setMediaState(participantId_, request);
        } else if constexpr (std::is_same_v<T, ModerateRequest>) {
          if (auto error = room_->moderate(participantId_, request, now)) reject(*error);
        } else if constexpr (std::is_same_v<T, AdmitRequest>) {
          if (auto error = room_->admit(participantId_, request, now)) reject(*error);
        } else if constexpr (std::is_same_v<T, DenyRequest>) {
          if (auto error = room_->deny(participantId_, request)) reject(*error);
        } else if constexpr (std::is_same_v<T, RoomSettingsRequest>) {
          if (auto error = room_->changeSettings(participantId_, request, now)) reject(*error);
        } else if constexpr (std::is_same_v<T, PublishRequest>) {
          room_->publish(participantId_, request);
        } else if constexpr (std::is_same_v<T, SubscribeAnswerRequest>) {
          room_->subscribeAnswer(participantId_, request);
        } else if constexpr (std::is_same_v<T, VideoViewRequest>) {
          room_->viewVideo(participantId_, request);
        } else if constexpr (std::is_same_v<T, LeaveRequest>) {
          leaveRoom("left", now);
          peer_.close();
        }
      },
      message);
}

namespace {
// A signed-in user's name is their identity provider's; one the room rules refuse (too long,
// control characters) is cut to fit rather than replaced by something the user typed.
std::string trustedName(const std::string& fromProvider) {
  auto checked = validateDisplayName(fromProvider);
  if (auto* clean = std::get_if<std::string>(&checked)) return *clean;
  std::string cut;
  std::size_t chars = 0;
  for (const char c : fromProvider) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) continue;
    if ((byte & 0xc0) != 0x80 && ++chars > kMaxDisplayNameChars) break;
    cut += c;
  }
  checked = validateDisplayName(cut);
  if (auto* clean = std::get_if<std::string>(&checked)) return *clean;
  return "?";
}
}  // namespace

// Into the call, into the waiting room, or refused, as the room's access level says.
std::variant<std::string, ProtocolError> SignalingSession::admit(Room& room, Newcomer who, std::int64_t now) {
  switch (room.admissionFor(who)) {
    case Admission::Refuse:
      return ProtocolError{ErrorCode::Locked, "this meeting is locked: nobody new can enter"};
    case Admission::Wait:
      if (!registry_.allowKnock(connection_.address, now)) {
        metrics().waitingRoomRefused.fetch_add(1, std::memory_order_relaxed);
        return ProtocolError{ErrorCode::RateLimited, "too many requests to enter from your address; wait a minute"};
      }
      return room.knock(peer_, std::move(who), now);
    case Admission::Enter:
      break;
  }
  return room.join(peer_, std::move(who), now);
}

void SignalingSession::handleJoin(const JoinRequest& join, std::int64_t now) {
  if (room_) return reject({ErrorCode::AlreadyJoined, "this connection has joined already"});
  auto room = registry_.open(roomId_);
  if (!room) {
    reject({ErrorCode::NotFound, "no meeting with this code"});
    return peer_.close();
  }
  Newcomer who;
  if (join.token) {
    if (!RoomRegistry::isModeratorToken(room->record(), *join.token)) {
      registry_.release(roomId_);
      return reject({ErrorCode::Forbidden, "the moderator token is not valid for this meeting"});
    }
    who.role = Role::Moderator;
  }
  // Signed in: the name is the identity provider's, whatever the client asked for.
  who.name = connection_.identity ? trustedName(connection_.identity->name) : join.name;
  who.identity = connection_.identity;
  who.guest = registry_.signInEnabled() && !connection_.identity;
  who.device = connection_.device;

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
    if (!registry_.joinsRefused().empty()) {
      result = ProtocolError{ErrorCode::Unavailable, registry_.joinsRefused()};
    } else {
      result = admit(*room, std::move(who), now);
    }
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
  // Waiting, or closed on purpose: gone. A waiting person's next connection knocks again.
  if (reason == "closed" || waiting()) return leaveRoom("disconnected", now);
  // Broken, not closed: the client may come back with its resume token.
  room_->detach(participantId_, peer_, now);
  room_.reset();
}

}  // namespace parley::signaling
