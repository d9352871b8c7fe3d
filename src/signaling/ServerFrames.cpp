#include "signaling/Protocol.h"

#include <nlohmann/json.hpp>

#include "common/Clock.h"

// The server's frames (docs/protocol.md). Parsing the client's is in Protocol.cpp.
namespace parley::signaling {

using nlohmann::json;

namespace {

json toJson(const ChatView& c) {
  return {{"id", c.id},     {"from", c.from}, {"name", c.name}, {"text", c.text}, {"sent_at", formatIsoTime(c.sentAt)},
          {"guest", c.guest}};
}

json toJson(const RoomView& room) {
  return {{"id", room.id}, {"name", room.name}, {"access", accessLevelName(room.access)}, {"locked", room.locked}};
}

json toJson(const ChatPage& page) {
  json list = json::array();
  for (const auto& c : page.messages) list.push_back(toJson(c));
  return list;
}

// Names and chat come from users and may hold any valid UTF-8: dump() escapes what JSON needs.
std::string frame(json body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

json participantJson(const ParticipantView& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"role", roleName(p.role)},
          {"joined_at", formatIsoTime(p.joinedAt)},
          {"hand_raised", p.handRaised},
          {"hand_raised_at", p.handRaised ? json(formatIsoTime(p.handRaisedAt)) : json(nullptr)},
          {"audio_muted", p.audioMuted},
          {"video_muted", p.videoMuted},
          {"guest", p.guest},
          {"owner", p.owner}};
}

std::string welcomeFrame(const RoomView& room, const ParticipantView& you,
                         const std::vector<ParticipantView>& participants, const ChatPage& chat, bool media,
                         const std::vector<IceServerView>& iceServers, const std::string& resumeToken) {
  json list = json::array();
  for (const auto& p : participants) list.push_back(participantJson(p));
  json servers = json::array();
  for (const auto& server : iceServers) {
    servers.push_back({{"urls", server.urls}, {"username", server.username}, {"credential", server.credential}});
  }
  return frame({{"type", "welcome"},
                {"version", kProtocolVersion},
                {"room", toJson(room)},
                {"you", participantJson(you)},
                {"participants", std::move(list)},
                {"chat", toJson(chat)},
                {"chat_more", chat.more},
                {"media", media},
                {"ice_servers", std::move(servers)},
                {"resume_token", resumeToken}});
}

std::string chatHistoryFrame(const ChatPage& page) {
  return frame({{"type", "chat-history"}, {"messages", toJson(page)}, {"more", page.more}});
}

std::string participantJoinedFrame(const ParticipantView& participant) {
  return frame({{"type", "participant-joined"}, {"participant", participantJson(participant)}});
}

std::string participantUpdatedFrame(const ParticipantView& participant) {
  return frame({{"type", "participant-updated"}, {"participant", participantJson(participant)}});
}

std::string participantLeftFrame(const std::string& id, std::string_view reason) {
  return frame({{"type", "participant-left"}, {"id", id}, {"reason", reason}});
}

std::string chatFrame(const ChatView& message) { return frame({{"type", "chat"}, {"message", toJson(message)}}); }

std::string reactionFrame(const std::string& from, const std::string& reaction) {
  return frame({{"type", "reaction"}, {"from", from}, {"reaction", reaction}});
}

std::string mutedByModeratorFrame(const std::string& by) { return frame({{"type", "muted"}, {"by", by}}); }

std::string removedFrame(const std::string& by) { return frame({{"type", "removed"}, {"by", by}}); }

std::string pongFrame() { return R"({"type":"pong"})"; }

std::string publishAnswerFrame(const std::string& sdp) { return frame({{"type", "publish-answer"}, {"sdp", sdp}}); }

std::string subscribeOfferFrame(const std::string& sdp, const std::vector<TrackView>& tracks) {
  json list = json::array();
  for (const auto& t : tracks) {
    list.push_back({{"mid", t.mid}, {"participant", t.participant}, {"source", t.source}, {"kind", t.kind}});
  }
  return frame({{"type", "subscribe-offer"}, {"sdp", sdp}, {"tracks", std::move(list)}});
}

std::string videoLayersFrame(const std::string& mid, const std::vector<VideoLayerState>& layers) {
  json list = json::array();
  for (const auto& l : layers) list.push_back({{"rid", l.rid}, {"active", l.active}});
  return frame({{"type", "video-layers"}, {"mid", mid}, {"layers", std::move(list)}});
}

std::string activeSpeakerFrame(const std::string& participantId) {
  return frame({{"type", "active-speaker"}, {"id", participantId}});
}

std::string transcriptionFrame(bool active, std::int64_t startedAt) {
  return frame({{"type", "transcription"}, {"active", active}, {"started_at", formatIsoTime(startedAt)}});
}

std::string recordingFrame(bool active, std::int64_t startedAt, const std::string& by, const std::string& error) {
  json f = {{"type", "recording"}, {"active", active}, {"started_at", formatIsoTime(startedAt)}};
  if (!by.empty()) f["by"] = by;
  if (!error.empty()) f["error"] = error;
  return frame(std::move(f));
}

std::string recordingReadyFrame(const std::string& recordingId, bool composite, const std::string& error) {
  json f = {{"type", "recording-ready"}, {"id", recordingId}, {"composite", composite}};
  if (!error.empty()) f["error"] = error;
  return frame(std::move(f));
}

std::string summaryFrame(const std::string& state, const std::string& error, int stepsDone, int stepsPlanned) {
  json f = {{"type", "summary"}, {"state", state}, {"steps_done", stepsDone}, {"steps_planned", stepsPlanned}};
  if (!error.empty()) f["error"] = error;
  return frame(f);
}

std::string captionFrame(const std::string& participantId, const std::string& name, const std::string& text,
                         double start, double end, bool final, bool guest) {
  return frame({{"type", "caption"},
                {"participant", participantId},
                {"name", name},
                {"text", text},
                {"start", start},
                {"end", end},
                {"final", final},
                {"guest", guest}});
}

std::string waitingFrame(const RoomView& room, std::int64_t expiresAt) {
  return frame({{"type", "waiting"}, {"room", toJson(room)}, {"expires_at", formatIsoTime(expiresAt)}});
}

std::string waitingListFrame(const std::vector<WaitingView>& people) {
  json list = json::array();
  for (const auto& p : people) {
    list.push_back({{"id", p.id}, {"name", p.name}, {"guest", p.guest}, {"since", formatIsoTime(p.since)}});
  }
  return frame({{"type", "waiting-list"}, {"people", std::move(list)}});
}

std::string deniedFrame(std::string_view reason, const std::string& by) {
  json body = {{"type", "denied"}, {"reason", reason}};
  if (!by.empty()) body["by"] = by;
  return frame(std::move(body));
}

std::string roomSettingsFrame(const RoomView& room) { return frame({{"type", "room-settings"}, {"room", toJson(room)}}); }

std::string moderationFrame(std::string_view action, const std::string& by, const std::string& target,
                            std::string_view access) {
  json body = {{"type", "moderation"}, {"action", action}, {"by", by}};
  if (!target.empty()) body["target"] = target;
  if (!access.empty()) body["access"] = access;
  return frame(std::move(body));
}

std::string endedFrame(const std::string& by) { return frame({{"type", "ended"}, {"by", by}}); }

std::string mediaErrorFrame(const std::string& message) { return frame({{"type", "media-error"}, {"message", message}}); }

std::string errorFrame(const ProtocolError& error) {
  return frame({{"type", "error"}, {"code", errorCodeName(error.code)}, {"message", error.message}});
}

}  // namespace parley::signaling
