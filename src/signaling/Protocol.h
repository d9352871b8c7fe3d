#pragma once
// The signaling protocol, version 1 (docs/protocol.md): JSON text frames over a WebSocket.
// This file turns client frames into typed requests and typed events into server frames;
// it knows nothing of rooms or sockets.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "signaling/Admission.h"

namespace parley::signaling {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;
inline constexpr int kMaxJsonDepth = 16;

enum class Role { Member, Moderator };
const char* roleName(Role role);

// Reactions are names from a fixed set; clients draw them.
bool isKnownReaction(std::string_view name);

// Frames that carry SDP (publish, subscribe-answer) may be larger than the others: a room
// of 100 people with camera and microphone is about 200 media sections.
inline constexpr std::size_t kMaxSdpMessageBytes = 768 * 1024;

struct JoinRequest {
  int version = kProtocolVersion;
  std::string name;                  // validated display name
  std::optional<std::string> token;  // moderator token, if any
  std::optional<std::string> resume;  // the resume token of an earlier welcome, to come back
};
struct ChatRequest {
  std::string text;  // validated
};
struct HandRequest {
  bool raised = false;
};
struct ReactionRequest {
  std::string reaction;
};
struct MediaStateRequest {
  std::optional<bool> audioMuted;
  std::optional<bool> videoMuted;
};
struct ModerateRequest {
  // Mute, Remove, Promote and Demote name a target; the others act on the whole room.
  enum class Action { Mute, Remove, Promote, Demote, MuteAll, LowerHands, End } action = Action::Mute;
  std::string target;  // participant id
};
const char* moderationActionName(ModerateRequest::Action action);
// Moderators let people in from the waiting room: one (by the id the waiting list shows),
// or everyone waiting.
struct AdmitRequest {
  std::string id;  // empty with `all`
  bool all = false;
};
struct DenyRequest {
  std::string id;
};
// Moderators change who may enter.
struct RoomSettingsRequest {
  std::optional<AccessLevel> access;
  std::optional<bool> locked;
};
struct PingRequest {};
struct LeaveRequest {};
// A page of older chat, before message `beforeId`.
struct ChatHistoryRequest {
  std::int64_t beforeId = 0;
};
// The client's offer for what it sends, with what each m-line carries ("camera", ...).
struct PublishRequest {
  std::string sdp;
  std::map<std::string, std::string> sources;  // mid -> source
};
// The client's answer to the server's offer of what it receives.
struct SubscribeAnswerRequest {
  std::string sdp;
};
// Which received video tracks the client displays, and how tall (device pixels; 0: not
// shown). The server sends each the layer that fits, and nothing for those not shown.
struct VideoViewRequest {
  struct Track {
    std::string mid;
    int height = 0;
  };
  std::vector<Track> tracks;
};
inline constexpr std::size_t kMaxViewedTracks = 512;
inline constexpr int kMaxViewHeight = 8192;

using ClientMessage = std::variant<JoinRequest, ChatRequest, HandRequest, ReactionRequest, MediaStateRequest,
                                   ModerateRequest, PingRequest, LeaveRequest, PublishRequest, SubscribeAnswerRequest,
                                   ChatHistoryRequest, AdmitRequest, DenyRequest, RoomSettingsRequest,
                                   VideoViewRequest>;

enum class ErrorCode {
  Malformed,      // not JSON, not an object, wrong field types
  TooLarge,       // over kMaxMessageBytes
  UnknownType,    // a "type" this version does not know
  Invalid,        // well-formed but breaks a rule (name too long, ...)
  UnsupportedVersion,
  NotJoined,      // a room message before join
  AlreadyJoined,
  Forbidden,      // needs the moderator role
  NotFound,       // no such participant
  RateLimited,
  RoomFull,
  LimitReached,   // a bound of the meeting (its chat) is reached
  Unavailable,    // the server could not do it now (its database); try again
  Locked,         // the meeting is locked: nobody new enters
};
const char* errorCodeName(ErrorCode code);

struct ProtocolError {
  ErrorCode code;
  std::string message;
};

using ParseResult = std::variant<ClientMessage, ProtocolError>;
// `frame` may be up to kMaxSdpMessageBytes; only SDP-carrying types may exceed kMaxMessageBytes.
ParseResult parseClientMessage(std::string_view frame);

// ---- Server frames ----

struct ParticipantView {
  std::string id;
  std::string name;
  Role role = Role::Member;
  std::int64_t joinedAt = 0;
  bool handRaised = false;
  std::int64_t handRaisedAt = 0;  // unix ms; orders the moderators' queue of raised hands
  bool audioMuted = false;
  bool videoMuted = false;
  bool guest = false;  // not signed in, on a server where people sign in
  bool owner = false;  // created the room (signed in)
};

struct ChatView {
  std::int64_t id = 0;
  std::string from;  // participant id
  std::string name;
  std::string text;
  std::int64_t sentAt = 0;
  bool guest = false;
};

// Chat messages, oldest first, and whether older ones remain (to ask with chat-history).
struct ChatPage {
  std::vector<ChatView> messages;
  bool more = false;
};

// A participant as JSON, the same in signaling frames and in the REST API.
nlohmann::json participantJson(const ParticipantView& participant);

// A relay the participant's browser may use (RTCIceServer), with its own credential.
struct IceServerView {
  std::vector<std::string> urls;
  std::string username;
  std::string credential;
};

// What everyone in a room knows about it.
struct RoomView {
  std::string id, name;
  AccessLevel access = AccessLevel::Public;
  bool locked = false;
};

// Someone in the waiting room, as its moderators see them.
struct WaitingView {
  std::string id;
  std::string name;
  bool guest = false;
  std::int64_t since = 0;
};

std::string welcomeFrame(const RoomView& room, const ParticipantView& you,
                         const std::vector<ParticipantView>& participants, const ChatPage& chat, bool media,
                         const std::vector<IceServerView>& iceServers = {}, const std::string& resumeToken = {});
std::string chatHistoryFrame(const ChatPage& page);
std::string participantJoinedFrame(const ParticipantView& participant);
std::string participantUpdatedFrame(const ParticipantView& participant);
std::string participantLeftFrame(const std::string& id, std::string_view reason);
std::string chatFrame(const ChatView& message);
std::string reactionFrame(const std::string& from, const std::string& reaction);
std::string mutedByModeratorFrame(const std::string& by);
std::string removedFrame(const std::string& by);
std::string pongFrame();
std::string publishAnswerFrame(const std::string& sdp);
struct TrackView {
  std::string mid, participant, source, kind;
};
std::string subscribeOfferFrame(const std::string& sdp, const std::vector<TrackView>& tracks);
std::string activeSpeakerFrame(const std::string& participantId);
// To a publisher: which simulcast layers of its track `mid` to send (the others nobody receives).
struct VideoLayerState {
  std::string rid;
  bool active = true;
};
std::string videoLayersFrame(const std::string& mid, const std::vector<VideoLayerState>& layers);
std::string mediaErrorFrame(const std::string& message);
std::string transcriptionFrame(bool active, std::int64_t startedAt);
// Whether the meeting is being recorded (everyone sees it); `by` who started or stopped it
// (empty: the server, e.g. a full disk, then `error` says why).
std::string recordingFrame(bool active, std::int64_t startedAt, const std::string& by, const std::string& error = {});
// To moderators: a recording's composite is ready to download, or could not be made.
std::string recordingReadyFrame(const std::string& recordingId, bool composite, const std::string& error);
// A summary's state, for moderators: "pending" (with the steps done and planned, and the
// last failure while retrying), "done" or "failed" (with why).
std::string summaryFrame(const std::string& state, const std::string& error, int stepsDone, int stepsPlanned);
std::string captionFrame(const std::string& participantId, const std::string& name, const std::string& text,
                         double start, double end, bool final, bool guest = false);
// To the person waiting: they wait, for which room, until when.
std::string waitingFrame(const RoomView& room, std::int64_t expiresAt);
// To moderators: everyone waiting now (the whole list at each change).
std::string waitingListFrame(const std::vector<WaitingView>& people);
// To the person waiting: not let in ("denied" by `by`, "expired", "locked", "ended", "full").
std::string deniedFrame(std::string_view reason, const std::string& by = {});
std::string roomSettingsFrame(const RoomView& room);
// To everyone: what a moderator did ("Ana muted everyone"); `target` is a name, or empty.
std::string moderationFrame(std::string_view action, const std::string& by, const std::string& target = {},
                            std::string_view access = {});
// To everyone: a moderator ended the meeting; the connection closes after it.
std::string endedFrame(const std::string& by);
std::string errorFrame(const ProtocolError& error);

}  // namespace parley::signaling
