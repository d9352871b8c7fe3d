#include "signaling/Room.h"

#include <algorithm>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "common/Random.h"

namespace parley::signaling {

Room::Room(store::RoomRecord record, store::RoomStore& store, sfu::MediaService* media,
           meeting::TranscriptionService* transcription)
    : record_(std::move(record)), store_(store), media_(media), transcription_(transcription) {}

Room::~Room() {
  if (transcriber_) stopTranscription(unixMillisNow());
  if (!members_.empty()) metrics().roomsActive.fetch_sub(1, std::memory_order_relaxed);
  metrics().participants.fetch_sub(static_cast<std::int64_t>(members_.size()), std::memory_order_relaxed);
}

Room::Member* Room::find(const std::string& participantId) {
  for (auto& member : members_) {
    if (member.view.id == participantId) return &member;
  }
  return nullptr;
}

const Room::Member* Room::find(const std::string& participantId) const {
  return const_cast<Room*>(this)->find(participantId);
}

std::vector<ParticipantView> Room::participants() const {
  std::vector<ParticipantView> out;
  out.reserve(members_.size());
  for (const auto& member : members_) out.push_back(member.view);
  return out;
}

void Room::send(Member& member, std::string frame) {
  metrics().signalingMessagesOut.fetch_add(1, std::memory_order_relaxed);
  member.peer->send(std::move(frame));
}

void Room::broadcast(const std::string& frame, const std::string& except) {
  for (auto& member : members_) {
    if (member.view.id != except) send(member, frame);
  }
}

std::variant<std::string, ProtocolError> Room::join(SignalingPeer& peer, const std::string& name, Role role,
                                                    std::int64_t now) {
  if (members_.size() >= kMaxParticipantsPerRoom) {
    return ProtocolError{ErrorCode::RoomFull, "the meeting is full"};
  }
  ParticipantView view;
  view.id = randomToken(9);
  view.name = name;
  view.role = role;
  view.joinedAt = now;
  const std::int64_t key = store_.recordJoin(record_.id, view.id, name, roleName(role), now);

  std::vector<ChatView> history;
  for (auto& c : store_.chatHistory(record_.id, kChatHistoryOnJoin)) {
    history.push_back({c.id, c.participantId, c.name, c.text, c.sentAt});
  }
  if (members_.empty()) metrics().roomsActive.fetch_add(1, std::memory_order_relaxed);
  metrics().participants.fetch_add(1, std::memory_order_relaxed);
  metrics().participantsJoined.fetch_add(1, std::memory_order_relaxed);

  broadcast(participantJoinedFrame(view));
  members_.push_back({view, &peer, key});
  names_[view.id] = name;
  send(members_.back(), welcomeFrame(record_.id, record_.name, view, participants(), history, media_ != nullptr));
  if (transcriber_) send(members_.back(), transcriptionFrame(true, transcriptionStartedAt_));
  if (media_) media_->join(record_.id, view.id);
  return view.id;
}

void Room::leave(const std::string& participantId, std::string_view reason, std::int64_t now) {
  const auto it = std::find_if(members_.begin(), members_.end(),
                               [&](const Member& m) { return m.view.id == participantId; });
  if (it == members_.end()) return;
  store_.recordLeave(it->sessionKey, now, std::string(reason));
  members_.erase(it);
  if (media_) media_->leave(record_.id, participantId);
  metrics().participants.fetch_sub(1, std::memory_order_relaxed);
  if (members_.empty()) metrics().roomsActive.fetch_sub(1, std::memory_order_relaxed);
  broadcast(participantLeftFrame(participantId, reason));
}

void Room::chat(const std::string& from, const std::string& text, std::int64_t now) {
  Member* sender = find(from);
  if (!sender) return;
  const auto record = store_.addChat(record_.id, from, sender->view.name, text, now);
  metrics().chatMessages.fetch_add(1, std::memory_order_relaxed);
  broadcast(chatFrame({record.id, from, sender->view.name, text, now}));
}

void Room::setHand(const std::string& from, bool raised) {
  Member* member = find(from);
  if (!member || member->view.handRaised == raised) return;
  member->view.handRaised = raised;
  broadcast(participantUpdatedFrame(member->view));
}

void Room::react(const std::string& from, const std::string& reaction) {
  if (!find(from)) return;
  broadcast(reactionFrame(from, reaction));
}

void Room::setMediaState(const std::string& from, const MediaStateRequest& state) {
  Member* member = find(from);
  if (!member) return;
  if (state.audioMuted) member->view.audioMuted = *state.audioMuted;
  if (state.videoMuted) member->view.videoMuted = *state.videoMuted;
  broadcast(participantUpdatedFrame(member->view));
}

std::optional<ProtocolError> Room::moderate(const std::string& from, const ModerateRequest& request,
                                            std::int64_t now) {
  Member* moderator = find(from);
  if (!moderator) return ProtocolError{ErrorCode::NotJoined, "join the meeting first"};
  if (moderator->view.role != Role::Moderator) {
    return ProtocolError{ErrorCode::Forbidden, "only a moderator can do this"};
  }
  Member* target = find(request.target);
  if (!target) return ProtocolError{ErrorCode::NotFound, "no such participant"};
  const std::string by = moderator->view.name;
  switch (request.action) {
    case ModerateRequest::Action::Mute:
      send(*target, mutedByModeratorFrame(by));
      if (!target->view.audioMuted) {
        target->view.audioMuted = true;
        broadcast(participantUpdatedFrame(target->view));
      }
      return std::nullopt;
    case ModerateRequest::Action::Remove: {
      if (target == moderator) return ProtocolError{ErrorCode::Invalid, "use leave to leave the meeting"};
      send(*target, removedFrame(by));
      SignalingPeer* peer = target->peer;
      leave(request.target, "removed", now);
      metrics().participantsRemoved.fetch_add(1, std::memory_order_relaxed);
      peer->close();
      return std::nullopt;
    }
  }
  return std::nullopt;
}

bool Room::startTranscription(std::int64_t now) {
  if (!transcription_ || transcriber_) return false;
  transcriptionId_ = store_.startTranscription(record_.id, now);
  transcriptionStartedAt_ = now;
  // The room outlives its transcriber (stop() runs before the room goes), so `this` is safe.
  transcriber_ = transcription_->start(record_.id, [this, id = transcriptionId_](transcribe::LiveSegment segment) {
    std::string name = names_.count(segment.track) ? names_[segment.track] : std::string("?");
    std::string speaker = segment.track;
    // A shared microphone's second and later voices: "Salle B (2)".
    if (segment.voice > 1) {
      name += " (" + std::to_string(segment.voice) + ")";
      speaker += "#" + std::to_string(segment.voice);
    }
    // Written as soon as final: a crash loses at most the utterance in progress. An empty
    // final only takes a partial caption away.
    if (!segment.partial && !segment.text.empty()) {
      store_.addTranscriptSegment(id, {static_cast<std::int64_t>(segment.start * 1000),
                                       static_cast<std::int64_t>(segment.end * 1000), speaker, name, segment.text});
    }
    broadcast(captionFrame(segment.track, name, segment.text, segment.start, segment.end, !segment.partial));
  });
  broadcast(transcriptionFrame(true, now));
  return true;
}

bool Room::stopTranscription(std::int64_t now) {
  if (!transcriber_) return false;
  auto transcriber = std::move(transcriber_);
  transcription_->stop(record_.id, transcriber);
  store_.stopTranscription(transcriptionId_, now);
  broadcast(transcriptionFrame(false, transcriptionStartedAt_));
  return true;
}

void Room::publish(const std::string& from, const PublishRequest& request) {
  if (!media_ || !find(from)) return;
  std::map<std::string, sfu::TrackSource> sources;
  for (const auto& [mid, name] : request.sources) {
    sfu::TrackSource source;
    if (sfu::parseSource(name, source)) sources[mid] = source;
  }
  media_->publish(record_.id, from, request.sdp, std::move(sources));
}

void Room::subscribeAnswer(const std::string& from, const SubscribeAnswerRequest& request) {
  if (!media_ || !find(from)) return;
  media_->subscriberAnswer(record_.id, from, request.sdp);
}

void Room::onMediaEvent(const sfu::MediaEvent& event, std::int64_t now) {
  using Type = sfu::MediaEvent::Type;
  if (event.type == Type::ActiveSpeaker) {
    if (find(event.participantId)) broadcast(activeSpeakerFrame(event.participantId));
    return;
  }
  Member* member = find(event.participantId);
  if (!member) return;  // left meanwhile
  switch (event.type) {
    case Type::PublisherAnswer:
      send(*member, publishAnswerFrame(event.sdp));
      break;
    case Type::SubscriberOffer: {
      std::vector<TrackView> tracks;
      for (const auto& t : event.tracks) {
        tracks.push_back({t.mid, t.participantId, sfu::sourceName(t.source),
                          t.kind == sfu::MediaKind::Audio ? "audio" : "video"});
      }
      send(*member, subscribeOfferFrame(event.sdp, tracks));
      break;
    }
    case Type::Error:
      send(*member, mediaErrorFrame(event.message));
      break;
    case Type::TransportClosed: {
      // ICE consent expired or DTLS failed: the participant's media is gone, and so are they.
      SignalingPeer* peer = member->peer;
      send(*member, mediaErrorFrame(event.message));
      leave(event.participantId, "media-timeout", now);
      peer->close();
      break;
    }
    case Type::ActiveSpeaker:
      break;
  }
}

}  // namespace parley::signaling
