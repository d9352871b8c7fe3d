// What moderators do to a room: act on participants, on everyone at once, on the waiting
// room and on who may enter. Every right is checked here, on the server, for every action;
// every action is told to the whole room ("Ana muted everyone").
#include <utility>

#include "common/Metrics.h"
#include "signaling/Room.h"

namespace parley::signaling {

std::variant<Room::Member*, ProtocolError> Room::moderator(const std::string& from) {
  Member* member = find(from);
  if (!member) return ProtocolError{ErrorCode::NotJoined, "join the meeting first"};
  if (member->view.role != Role::Moderator) return ProtocolError{ErrorCode::Forbidden, "only a moderator can do this"};
  return member;
}

void Room::announce(std::string_view action, const std::string& by, const std::string& target,
                    std::string_view access) {
  broadcast(moderationFrame(action, by, target, access));
}

void Room::turnAway(SignalingPeer& peer, std::string_view reason, const std::string& by) {
  metrics().signalingMessagesOut.fetch_add(1, std::memory_order_relaxed);
  peer.send(deniedFrame(reason, by));
  peer.close();
}

void Room::muteByModerator(Member& member, const std::string& by) {
  send(member, mutedByModeratorFrame(by));
  if (member.view.audioMuted) return;
  member.view.audioMuted = true;
  noteForRecording("mute", member.view.id, "audio");
  broadcast(participantUpdatedFrame(member.view));
}

void Room::sendWaitingList() { tellModerators(waitingListFrame(waiting_.views())); }

void Room::tellModerators(const std::string& frame) {
  for (auto& member : members_) {
    if (member.view.role == Role::Moderator) send(member, frame);
  }
}

std::optional<ProtocolError> Room::moderate(const std::string& from, const ModerateRequest& request,
                                            std::int64_t now) {
  auto checked = moderator(from);
  if (auto* error = std::get_if<ProtocolError>(&checked)) return *error;
  Member* moderator = std::get<Member*>(checked);
  const std::string by = moderator->view.name;
  using Action = ModerateRequest::Action;
  const char* action = moderationActionName(request.action);

  switch (request.action) {
    case Action::MuteAll:
      for (auto& member : members_) {
        if (&member != moderator) muteByModerator(member, by);
      }
      announce(action, by);
      return std::nullopt;
    case Action::LowerHands:
      for (auto& member : members_) {
        if (!member.view.handRaised) continue;
        member.view.handRaised = false;
        member.view.handRaisedAt = 0;
        broadcast(participantUpdatedFrame(member.view));
      }
      announce(action, by);
      return std::nullopt;
    case Action::End:
      endMeeting(by, now);
      return std::nullopt;
    default:
      break;
  }

  Member* target = find(request.target);
  if (!target) return ProtocolError{ErrorCode::NotFound, "no such participant"};
  const std::string targetName = target->view.name;
  switch (request.action) {
    case Action::Mute:
      muteByModerator(*target, by);
      announce(action, by, targetName);
      return std::nullopt;
    case Action::Remove: {
      if (target == moderator) return ProtocolError{ErrorCode::Invalid, "use leave to leave the meeting"};
      if (target->view.owner) return ProtocolError{ErrorCode::Forbidden, "the meeting's owner cannot be removed"};
      send(*target, removedFrame(by));
      if (!target->device.empty()) removedDevices_.insert(target->device);
      if (target->identity) removedUsers_.insert(userKey(*target->identity));
      SignalingPeer* peer = target->peer;
      leave(request.target, "removed", now);
      metrics().participantsRemoved.fetch_add(1, std::memory_order_relaxed);
      if (peer) peer->close();
      announce(action, by, targetName);
      return std::nullopt;
    }
    case Action::Promote:
      // A moderator is someone the identity provider vouches for: not a guest.
      if (target->view.guest) return ProtocolError{ErrorCode::Invalid, "only signed-in participants can be moderators"};
      if (target->view.role == Role::Moderator) return std::nullopt;
      target->view.role = Role::Moderator;
      if (target->identity) promoted_.insert(userKey(*target->identity));
      broadcast(participantUpdatedFrame(target->view));
      if (!waiting_.empty()) send(*target, waitingListFrame(waiting_.views()));
      announce(action, by, targetName);
      return std::nullopt;
    case Action::Demote:
      if (target->view.owner) return ProtocolError{ErrorCode::Forbidden, "the meeting's owner stays a moderator"};
      if (target->view.role != Role::Moderator) return std::nullopt;
      target->view.role = Role::Member;
      if (target->identity) promoted_.erase(userKey(*target->identity));
      broadcast(participantUpdatedFrame(target->view));
      announce(action, by, targetName);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

void Room::endMeeting(const std::string& by, std::int64_t now) {
  metrics().waitingRoomDenied.fetch_add(waiting_.size(), std::memory_order_relaxed);
  for (auto& person : waiting_.takeAll()) turnAway(*person.peer, "ended", by);
  if (transcribing()) stopTranscription(now);
  if (recording()) stopRecording(by, now);
  broadcast(endedFrame(by));
  // Everyone goes: their connections close once the frame is out, and nothing follows it.
  dismissEveryone("ended", now);
}

void Room::dismissEveryone(std::string_view reason, std::int64_t now) {
  std::vector<std::pair<std::string, SignalingPeer*>> everyone;
  for (auto& member : members_) everyone.emplace_back(member.view.id, std::exchange(member.peer, nullptr));
  for (const auto& [id, peer] : everyone) {
    if (peer) peer->close();
    leave(id, reason, now);
  }
}

void Room::admitOne(WaitingRoom::Person person, std::int64_t now) {
  SignalingPeer* peer = person.peer;
  std::variant<std::string, ProtocolError> entered;
  try {
    entered = enter(*peer, std::move(person.who), person.id, now);
  } catch (...) {
    // The database refused the join: they stay at the door, and the moderator hears why.
    waiting_.add(std::move(person));
    throw;
  }
  if (auto* error = std::get_if<ProtocolError>(&entered)) {
    return turnAway(*peer, error->code == ErrorCode::RoomFull ? "full" : "denied");
  }
  metrics().waitingRoomAdmitted.fetch_add(1, std::memory_order_relaxed);
}

std::optional<ProtocolError> Room::admit(const std::string& from, const AdmitRequest& request, std::int64_t now) {
  auto checked = moderator(from);
  if (auto* error = std::get_if<ProtocolError>(&checked)) return *error;
  if (request.all) {
    // One at a time: should the database refuse one, the others are still waiting.
    for (const auto& person : waiting_.views()) admitOne(std::move(*waiting_.take(person.id)), now);
  } else {
    auto person = waiting_.take(request.id);
    if (!person) return ProtocolError{ErrorCode::NotFound, "nobody with this id is waiting"};
    admitOne(std::move(*person), now);
  }
  sendWaitingList();
  return std::nullopt;
}

std::optional<ProtocolError> Room::deny(const std::string& from, const DenyRequest& request) {
  auto checked = moderator(from);
  if (auto* error = std::get_if<ProtocolError>(&checked)) return *error;
  auto person = waiting_.take(request.id);
  if (!person) return ProtocolError{ErrorCode::NotFound, "nobody with this id is waiting"};
  metrics().waitingRoomDenied.fetch_add(1, std::memory_order_relaxed);
  turnAway(*person->peer, "denied", std::get<Member*>(checked)->view.name);
  sendWaitingList();
  return std::nullopt;
}

void Room::expireWaiting(std::int64_t now) {
  auto expired = waiting_.takeExpired(now);
  if (expired.empty()) return;
  for (auto& person : expired) {
    metrics().waitingRoomExpired.fetch_add(1, std::memory_order_relaxed);
    turnAway(*person.peer, "expired");
  }
  sendWaitingList();
}

std::optional<ProtocolError> Room::changeSettings(const std::string& from, const RoomSettingsRequest& request,
                                                  std::int64_t now) {
  auto checked = moderator(from);
  if (auto* error = std::get_if<ProtocolError>(&checked)) return *error;
  const std::string by = std::get<Member*>(checked)->view.name;
  if (request.access && *request.access != access()) {
    // Stored first: a database error changes nothing.
    services_.store.setRoomAccess(record_.id, accessLevelName(*request.access));
    record_.access = accessLevelName(*request.access);
    announce("access", by, {}, record_.access);
    // Opened up: whoever would now enter directly does not wait for a click.
    for (const auto& person : waiting_.views()) {
      auto waiting = waiting_.take(person.id);
      if (admissionFor(waiting->who) == Admission::Enter) {
        admitOne(std::move(*waiting), now);
      } else {
        waiting_.add(std::move(*waiting));
      }
    }
    sendWaitingList();
  }
  if (request.locked && *request.locked != locked_) {
    locked_ = *request.locked;
    announce(locked_ ? "lock" : "unlock", by);
    // Locked means nobody new enters, through the waiting room either.
    if (locked_) {
      metrics().waitingRoomDenied.fetch_add(waiting_.size(), std::memory_order_relaxed);
      for (auto& person : waiting_.takeAll()) turnAway(*person.peer, "locked", by);
      sendWaitingList();
    }
  }
  broadcast(roomSettingsFrame(view()));
  return std::nullopt;
}

}  // namespace parley::signaling
