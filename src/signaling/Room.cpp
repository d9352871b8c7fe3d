#include "signaling/Room.h"

#include <algorithm>
#include <utility>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "common/Random.h"
#include "common/Text.h"

namespace parley::signaling {

Room::Room(store::RoomRecord record, RoomServices services)
    : record_(std::move(record)), services_(services), emptySince_(unixMillisNow()) {}

AccessLevel Room::access() const { return parseAccessLevel(record_.access).value_or(AccessLevel::Public); }

RoomView Room::view() const { return {record_.id, record_.name, access(), locked_}; }

Room::~Room() {
  if (transcribing()) stopTranscription(unixMillisNow());
  if (recording()) stopRecording({}, unixMillisNow());
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

bool Room::isModerator(const std::string& participantId) const {
  const Member* member = find(participantId);
  return member && member->view.role == Role::Moderator;
}

void Room::send(Member& member, std::string frame) {
  if (!member.peer) return;  // away: it gets the state of things in its next welcome
  metrics().signalingMessagesOut.fetch_add(1, std::memory_order_relaxed);
  member.peer->send(std::move(frame));
}

void Room::broadcast(const std::string& frame, const std::string& except) {
  for (auto& member : members_) {
    if (member.view.id != except) send(member, frame);
  }
}

ChatPage Room::chatPage(std::int64_t beforeId) {
  const auto records = services_.store.chatHistory(record_.id, kChatMessagesPerPage, beforeId, kChatBytesPerPage);
  ChatPage page;
  page.more = !records.empty() && !services_.store.chatHistory(record_.id, 1, records.front().id).empty();
  for (const auto& c : records) page.messages.push_back({c.id, c.participantId, c.name, c.text, c.sentAt, c.guest});
  return page;
}

bool Room::isOwner(const std::optional<Identity>& identity) const {
  return identity && record_.ownedBy(identity->issuer, identity->subject);
}

Role Room::roleFor(const Newcomer& who) const {
  if (who.role == Role::Moderator || isOwner(who.identity)) return Role::Moderator;
  if (who.identity && promoted_.count(userKey(*who.identity))) return Role::Moderator;
  return Role::Member;
}

Admission Room::admissionFor(const Newcomer& who) const {
  return admission(access(), locked_, who.identity.has_value(), roleFor(who) == Role::Moderator);
}

std::optional<ProtocolError> Room::barred(const Newcomer& who) const {
  // A moderator's removal holds for the meeting, for the browser and for the signed-in
  // user; a moderator token lets its holder back in.
  if (who.role == Role::Moderator) return std::nullopt;
  const bool removed = (!who.device.empty() && removedDevices_.count(who.device)) ||
                       (who.identity && removedUsers_.count(userKey(*who.identity)));
  if (removed) return ProtocolError{ErrorCode::Forbidden, "a moderator removed you from this meeting"};
  return std::nullopt;
}

std::variant<std::string, ProtocolError> Room::join(SignalingPeer& peer, Newcomer who, std::int64_t now) {
  if (auto refused = barred(who)) return *refused;
  return enter(peer, std::move(who), randomToken(9), now);
}

std::variant<std::string, ProtocolError> Room::knock(SignalingPeer& peer, Newcomer who, std::int64_t now) {
  if (auto refused = barred(who)) return *refused;
  if (waiting_.full()) {
    metrics().waitingRoomRefused.fetch_add(1, std::memory_order_relaxed);
    return ProtocolError{ErrorCode::LimitReached, "too many people are waiting to enter; try again later"};
  }
  std::string id = randomToken(9);
  waiting_.add({id, std::move(who), &peer, now});
  metrics().signalingMessagesOut.fetch_add(1, std::memory_order_relaxed);
  peer.send(waitingFrame(view(), now + WaitingRoom::kExpiryMillis));
  sendWaitingList();
  return id;
}

bool Room::isWaiting(const std::string& id) const { return waiting_.contains(id); }

std::variant<std::string, ProtocolError> Room::enter(SignalingPeer& peer, Newcomer who, std::string id,
                                                     std::int64_t now) {
  if (members_.size() >= kMaxParticipantsPerRoom) {
    return ProtocolError{ErrorCode::RoomFull, "the meeting is full"};
  }
  ParticipantView view;
  view.id = std::move(id);
  view.name = who.name;
  view.role = roleFor(who);
  view.joinedAt = now;
  view.guest = who.guest;
  view.owner = isOwner(who.identity);
  // Both reads and the write before any change: a store error leaves the room as it was.
  const ChatPage chat = chatPage(0);
  const std::int64_t key =
      services_.store.recordJoin(record_.id, view.id, view.name, roleName(view.role), view.guest, now,
                                 services_.node ? *services_.node : std::string());

  if (members_.empty()) metrics().roomsActive.fetch_add(1, std::memory_order_relaxed);
  emptySince_ = 0;
  metrics().participants.fetch_add(1, std::memory_order_relaxed);
  metrics().participantsJoined.fetch_add(1, std::memory_order_relaxed);

  broadcast(participantJoinedFrame(view));
  const std::string resumeToken = randomToken(24);
  members_.push_back({view, &peer, key, std::move(who.device), std::move(who.identity), sha256Hex(resumeToken)});
  names_[view.id] = {view.name, view.guest};
  noteForRecording("join", view.id);
  welcome(members_.back(), resumeToken, now, chat);
  if (services_.media) services_.media->join(record_.id, view.id);
  return view.id;
}

void Room::welcome(Member& member, const std::string& resumeToken, std::int64_t now, const ChatPage& chat) {
  send(member, welcomeFrame(view(), member.view, participants(), chat, services_.media != nullptr,
                            iceServersFor(member.view.id, now), resumeToken));
  if (transcribing()) send(member, transcriptionFrame(true, transcriptionStartedAt_));
  if (const auto current = services_.recordings ? services_.recordings->current(record_.id) : std::nullopt) {
    send(member, recordingFrame(true, current->startedAt, {}));
  }
  if (member.view.role == Role::Moderator && !waiting_.empty()) send(member, waitingListFrame(waiting_.views()));
}

void Room::detach(const std::string& participantId, const SignalingPeer& peer, std::int64_t now) {
  Member* member = find(participantId);
  if (!member || member->peer != &peer) return;  // gone, or already back on a newer connection
  member->peer = nullptr;
  member->awaySince = now;
  metrics().participantsAway.fetch_add(1, std::memory_order_relaxed);
}

std::optional<std::string> Room::resume(SignalingPeer& peer, const std::string& resumeToken, std::int64_t now) {
  if (resumeToken.empty()) return std::nullopt;
  const std::string presented = sha256Hex(resumeToken);
  Member* member = nullptr;
  for (auto& m : members_) {
    if (constantTimeEquals(presented, m.resumeSha256)) member = &m;
  }
  if (!member) return std::nullopt;
  const ChatPage chat = chatPage(0);
  if (member->peer) {
    // The old connection has not noticed it is dead yet: this one takes over.
    SignalingPeer* old = member->peer;
    member->peer = nullptr;
    old->close();
  }
  if (member->awaySince != 0) metrics().participantsAway.fetch_sub(1, std::memory_order_relaxed);
  member->peer = &peer;
  member->awaySince = 0;
  metrics().participantsResumed.fetch_add(1, std::memory_order_relaxed);
  welcome(*member, resumeToken, now, chat);
  // Its browser made new peer connections: new transports, and the others' subscriptions
  // to its tracks follow its new offer.
  if (services_.media) {
    services_.media->leave(record_.id, member->view.id);
    services_.media->join(record_.id, member->view.id);
  }
  return member->view.id;
}

void Room::expireAway(std::int64_t now) {
  std::vector<std::string> expired;
  for (const auto& m : members_) {
    if (m.awaySince != 0 && now - m.awaySince >= kResumeWindowMillis) expired.push_back(m.view.id);
  }
  for (const auto& id : expired) {
    metrics().participantsTimedOut.fetch_add(1, std::memory_order_relaxed);
    leave(id, "timeout", now);
  }
}

void Room::handOver(std::int64_t now) {
  metrics().participantsHandedOver.fetch_add(members_.size() + waiting_.size(), std::memory_order_relaxed);
  // Those at the door knock again there.
  for (auto& person : waiting_.takeAll()) person.peer->close();
  // Said while everyone still hears it: the new home does neither until a moderator asks.
  if (transcribing()) stopTranscription(now);
  if (recording()) stopRecording({}, now);
  // No 'ended': a connection closed without one is a lost one to the client, which comes
  // back at once, through whichever node, and is placed at the room's home.
  dismissEveryone("moved", now);
}

std::vector<IceServerView> Room::iceServersFor(const std::string& participantId, std::int64_t now) const {
  if (!services_.iceServers || !services_.iceServers->enabled()) return {};
  const auto credential = turnCredential(*services_.iceServers, participantId, now / 1000);
  return {{services_.iceServers->turnUrls, credential.username, credential.password}};
}

void Room::leave(const std::string& participantId, std::string_view reason, std::int64_t now) {
  if (waiting_.take(participantId)) return sendWaitingList();
  const auto it = std::find_if(members_.begin(), members_.end(),
                               [&](const Member& m) { return m.view.id == participantId; });
  if (it == members_.end()) return;
  const std::int64_t key = it->sessionKey;
  if (it->awaySince != 0) metrics().participantsAway.fetch_sub(1, std::memory_order_relaxed);
  members_.erase(it);
  if (services_.media) services_.media->leave(record_.id, participantId);
  metrics().participants.fetch_sub(1, std::memory_order_relaxed);
  if (members_.empty()) {
    metrics().roomsActive.fetch_sub(1, std::memory_order_relaxed);
    emptySince_ = now;
  }
  broadcast(participantLeftFrame(participantId, reason));
  noteForRecording("leave", participantId, std::string(reason));
  if (members_.empty() && recording()) stopRecording({}, now);  // nobody left to record
  // The person is gone whatever the database says; the history catches up when it can.
  auto& store = services_.store;
  services_.writes.run("leave", [&store, key, now, why = std::string(reason)] { store.recordLeave(key, now, why); });
}

std::optional<ProtocolError> Room::chat(const std::string& from, const std::string& text, std::int64_t now) {
  Member* sender = find(from);
  if (!sender) return std::nullopt;
  if (!chatUsage_) chatUsage_ = services_.store.chatUsage(record_.id);
  if (chatUsage_->messages >= kMaxChatMessagesPerRoom ||
      chatUsage_->bytes + static_cast<std::int64_t>(text.size()) > kMaxChatBytesPerRoom) {
    return ProtocolError{ErrorCode::LimitReached, "this meeting's chat is full"};
  }
  const auto record = services_.store.addChat(record_.id, from, sender->view.name, sender->view.guest, text, now);
  chatUsage_->messages += 1;
  chatUsage_->bytes += static_cast<std::int64_t>(text.size());
  metrics().chatMessages.fetch_add(1, std::memory_order_relaxed);
  broadcast(chatFrame({record.id, from, sender->view.name, text, now, sender->view.guest}));
  return std::nullopt;
}

void Room::chatHistory(const std::string& to, std::int64_t beforeId) {
  Member* member = find(to);
  if (!member) return;
  send(*member, chatHistoryFrame(chatPage(beforeId)));
}

void Room::setHand(const std::string& from, bool raised, std::int64_t now) {
  Member* member = find(from);
  if (!member || member->view.handRaised == raised) return;
  member->view.handRaised = raised;
  member->view.handRaisedAt = raised ? now : 0;
  broadcast(participantUpdatedFrame(member->view));
}

void Room::react(const std::string& from, const std::string& reaction) {
  if (!find(from)) return;
  broadcast(reactionFrame(from, reaction));
}

void Room::setMediaState(const std::string& from, const MediaStateRequest& state) {
  Member* member = find(from);
  if (!member) return;
  if (state.audioMuted && *state.audioMuted != member->view.audioMuted) {
    member->view.audioMuted = *state.audioMuted;
    noteForRecording(*state.audioMuted ? "mute" : "unmute", from, "audio");
  }
  if (state.videoMuted && *state.videoMuted != member->view.videoMuted) {
    member->view.videoMuted = *state.videoMuted;
    noteForRecording(*state.videoMuted ? "mute" : "unmute", from, "video");
  }
  broadcast(participantUpdatedFrame(member->view));
}

TranscriptSpeaker transcriptSpeaker(const std::string& participantName, const transcribe::LiveSegment& segment) {
  TranscriptSpeaker speaker{segment.track, participantName};
  // A shared microphone's second and later voices: "Salle B (2)".
  if (segment.voice > 1) {
    speaker.name += " (" + std::to_string(segment.voice) + ")";
    speaker.id += "#" + std::to_string(segment.voice);
  }
  return speaker;
}

Room::TranscriptionStart Room::startTranscription(std::int64_t now) {
  auto* transcription = services_.transcription;
  if (!transcription || transcription->maxRooms() == 0) return TranscriptionStart::Unavailable;
  if (transcribing()) return TranscriptionStart::AlreadyRunning;
  if (transcription->activeCount() >= transcription->maxRooms()) return TranscriptionStart::ServerFull;
  const std::int64_t id = services_.store.startTranscription(record_.id, now);
  if (transcription->start(record_.id, id) != meeting::TranscriptionService::StartResult::Started) {
    services_.store.stopTranscription(id, now);
    return TranscriptionStart::ServerFull;
  }
  transcriptionId_ = id;
  transcriptionStartedAt_ = now;
  broadcast(transcriptionFrame(true, now));
  return TranscriptionStart::Started;
}

void Room::onTranscriptSegment(const transcribe::LiveSegment& segment) {
  const auto known = names_.find(segment.track);
  const store::ParticipantName name = known == names_.end() ? store::ParticipantName{"?"} : known->second;
  const auto speaker = transcriptSpeaker(name.name, segment);
  // Written as soon as final: a crash loses at most the utterance in progress. An empty
  // final only takes a partial caption away.
  if (!segment.partial && !segment.text.empty()) {
    auto& store = services_.store;
    store::TranscriptSegmentRecord record{static_cast<std::int64_t>(segment.start * 1000),
                                          static_cast<std::int64_t>(segment.end * 1000), speaker.id, speaker.name,
                                          segment.text, name.guest};
    services_.writes.run("transcript", [&store, id = transcriptionId_, record] { store.addTranscriptSegment(id, record); });
  }
  broadcast(captionFrame(segment.track, speaker.name, segment.text, segment.start, segment.end, !segment.partial,
                         name.guest));
}

bool Room::stopTranscription(std::int64_t now) {
  if (!transcribing()) return false;
  const std::int64_t id = std::exchange(transcriptionId_, 0);
  services_.transcription->stop(record_.id);
  auto& store = services_.store;
  services_.writes.run("transcription stop", [&store, id, now] { store.stopTranscription(id, now); });
  broadcast(transcriptionFrame(false, transcriptionStartedAt_));
  return true;
}

void Room::publish(const std::string& from, const PublishRequest& request) {
  if (!services_.media || !find(from)) return;
  std::map<std::string, sfu::TrackSource> sources;
  for (const auto& [mid, name] : request.sources) {
    sfu::TrackSource source;
    if (sfu::parseSource(name, source)) sources[mid] = source;
  }
  services_.media->publish(record_.id, from, request.sdp, std::move(sources));
}

void Room::subscribeAnswer(const std::string& from, const SubscribeAnswerRequest& request) {
  if (!services_.media || !find(from)) return;
  services_.media->subscriberAnswer(record_.id, from, request.sdp);
}

void Room::viewVideo(const std::string& from, const VideoViewRequest& request) {
  if (!services_.media || !find(from)) return;
  std::vector<sfu::ShownTrack> shown;
  shown.reserve(request.tracks.size());
  for (const auto& track : request.tracks) shown.push_back({track.mid, track.height});
  services_.media->showTracks(record_.id, from, std::move(shown));
}

void Room::onMediaEvent(const sfu::MediaEvent& event, std::int64_t now) {
  using Type = sfu::MediaEvent::Type;
  if (event.type == Type::ActiveSpeaker) {
    if (find(event.participantId)) {
      broadcast(activeSpeakerFrame(event.participantId));
      noteForRecording("speaker", event.participantId);
    }
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
      // Away (its connection broke): its browser closed the old peer connections to come
      // back with new ones, or is gone; resume or the window's end decides, not this.
      if (!member->peer) break;
      // ICE consent expired or DTLS failed: the participant's media is gone, and so are they.
      SignalingPeer* peer = member->peer;
      send(*member, mediaErrorFrame(event.message));
      leave(event.participantId, "media-timeout", now);
      if (peer) peer->close();
      break;
    }
    case Type::PublisherLayers: {
      std::vector<VideoLayerState> layers;
      for (const auto& l : event.layers) layers.push_back({l.rid, l.active});
      send(*member, videoLayersFrame(event.mid, layers));
      break;
    }
    case Type::ActiveSpeaker:
      break;
  }
}

}  // namespace parley::signaling
