#pragma once
// One meeting while people are in it: who is there, who waits at the door, their hand and
// mute state, and the fan-out of events to everyone's connection. Lives on the control-plane
// thread. Its moderation (actions, the waiting room, settings) is in RoomModeration.cpp.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "meeting/RecordingService.h"
#include "meeting/TranscriptionService.h"
#include "sfu/MediaPlane.h"
#include "signaling/IceServers.h"
#include "signaling/Protocol.h"
#include "signaling/SignalingPeer.h"
#include "signaling/WaitingRoom.h"
#include "store/PendingWrites.h"
#include "store/RoomStore.h"

namespace parley::signaling {

inline constexpr std::size_t kMaxParticipantsPerRoom = 100;
// What a join brings of the chat, and what a page of older messages holds; more is paged.
inline constexpr int kChatMessagesPerPage = 200;
inline constexpr std::size_t kChatBytesPerPage = 64 * 1024;
// A meeting's chat is bounded: a flood cannot fill the disk.
inline constexpr std::int64_t kMaxChatMessagesPerRoom = 5000;
inline constexpr std::int64_t kMaxChatBytesPerRoom = 2 * 1024 * 1024;
// How long a participant whose connection broke (not closed: a network change, a tunnel)
// stays in the meeting, unseen by the others, for its client to come back as itself.
inline constexpr std::int64_t kResumeWindowMillis = 20 * 1000;

// What a room works with: the server's store, the writes kept through database errors, and
// the media and transcription services (null when absent: tests, media disabled).
struct RoomServices {
  store::RoomStore& store;
  store::PendingWrites& writes;
  sfu::MediaPlane* media = nullptr;
  meeting::TranscriptionService* transcription = nullptr;
  meeting::RecordingService* recordings = nullptr;
  const IceServerSettings* iceServers = nullptr;  // TURN relays handed out in the welcome
  const std::string* node = nullptr;               // the cluster node recording sessions; null: none
};

class Room {
 public:
  Room(store::RoomRecord record, RoomServices services);
  ~Room();
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const store::RoomRecord& record() const { return record_; }
  const std::string& id() const { return record_.id; }
  RoomView view() const;
  AccessLevel access() const;
  bool empty() const { return members_.empty(); }
  // Nobody in the room and nobody waiting: it may be let go.
  bool idle() const { return members_.empty() && waiting_.empty(); }
  std::size_t size() const { return members_.size(); }
  bool has(const std::string& participantId) const { return find(participantId) != nullptr; }
  std::vector<ParticipantView> participants() const;
  bool isModerator(const std::string& participantId) const;

  // Whether `who` enters now, waits for a moderator, or is refused (signaling/Admission.h).
  Admission admissionFor(const Newcomer& who) const;
  // Adds a participant, sends it the welcome (list and the latest chat) and tells the
  // others. Returns the new participant's id, or an error (room full, removed, store
  // unavailable). The owner and moderators promoted in this meeting join as moderators.
  std::variant<std::string, ProtocolError> join(SignalingPeer& peer, Newcomer who, std::int64_t now);
  // Puts `who` in the waiting room: they are told they wait, moderators see them. Returns
  // the id they will have once admitted, or an error (the waiting room is full, removed).
  std::variant<std::string, ProtocolError> knock(SignalingPeer& peer, Newcomer who, std::int64_t now);
  bool isWaiting(const std::string& id) const;
  // Removes the participant and tells the others, or takes a waiting person off the list;
  // does nothing if it is neither.
  void leave(const std::string& participantId, std::string_view reason, std::int64_t now);
  // The participant's connection `peer` broke: it stays, away, for kResumeWindowMillis (the
  // others are told nothing), unless a newer connection has taken it over already.
  void detach(const std::string& participantId, const SignalingPeer& peer, std::int64_t now);
  // A connection coming back with the resume token of an earlier welcome: the participant
  // it names, if still here, is now on `peer` (any older connection is let go), gets the
  // welcome again and starts its media afresh. Returns its id, or nothing if no participant
  // has that token (gone, or a wrong token).
  std::optional<std::string> resume(SignalingPeer& peer, const std::string& resumeToken, std::int64_t now);
  // Participants away longer than the window leave ("timeout").
  void expireAway(std::int64_t now);
  // This server is no longer the room's home (a node of a cluster found another node holding
  // it, after an absence): the transcription and the recording stop, and everyone, waiting
  // or in, is let go without a goodbye ("moved"), so that their clients reconnect and are
  // placed in the room at its home.
  void handOver(std::int64_t now);

  std::optional<ProtocolError> chat(const std::string& from, const std::string& text, std::int64_t now);
  // Older chat for one participant, a page before message `beforeId`.
  void chatHistory(const std::string& to, std::int64_t beforeId);
  void setHand(const std::string& from, bool raised, std::int64_t now);
  void react(const std::string& from, const std::string& reaction);
  void setMediaState(const std::string& from, const MediaStateRequest& state);
  std::optional<ProtocolError> moderate(const std::string& from, const ModerateRequest& request, std::int64_t now);
  std::optional<ProtocolError> admit(const std::string& from, const AdmitRequest& request, std::int64_t now);
  std::optional<ProtocolError> deny(const std::string& from, const DenyRequest& request);
  // A laxer access level lets in at once those waiting who would now enter directly.
  std::optional<ProtocolError> changeSettings(const std::string& from, const RoomSettingsRequest& request,
                                              std::int64_t now);
  // Waiting requests older than WaitingRoom::kExpiryMillis are told so and let go.
  void expireWaiting(std::int64_t now);
  void publish(const std::string& from, const PublishRequest& request);
  void subscribeAnswer(const std::string& from, const SubscribeAnswerRequest& request);
  void viewVideo(const std::string& from, const VideoViewRequest& request);
  // What the media plane says about this room, on the control thread.
  void onMediaEvent(const sfu::MediaEvent& event, std::int64_t now);

  // Live transcription (moderators, through REST).
  enum class TranscriptionStart { Started, AlreadyRunning, Unavailable, ServerFull };
  TranscriptionStart startTranscription(std::int64_t now);
  bool stopTranscription(std::int64_t now);
  bool transcribing() const { return transcriptionId_ != 0; }
  std::int64_t transcriptionId() const { return transcriptionId_; }
  std::int64_t transcriptionStartedAt() const { return transcriptionStartedAt_; }
  // A segment of this room's current transcription, on the control thread: stored when
  // final, shown to everyone as a caption.
  void onTranscriptSegment(const transcribe::LiveSegment& segment);
  // Recording (moderators, in the room or through REST; RoomRecordingControl.cpp). Everyone
  // is told when it starts and stops; joins, leaves, mutes and the active speaker go into it.
  enum class RecordingStart { Started, AlreadyRunning, Unavailable, ServerFull, DiskError };
  RecordingStart startRecording(const std::string& by, std::int64_t now, std::string* problem = nullptr);
  bool stopRecording(const std::string& by, std::int64_t now);
  bool recording() const { return services_.recordings && services_.recordings->recording(record_.id); }
  // The recording service finished one of this room's recordings (stopped or failed).
  void onRecordingEnded(const meeting::RecordingReport& report);
  // A frame for the moderators in the room only (the summary's progress).
  void tellModerators(const std::string& frame);
  // Since when nobody is in the room (0 while someone is).
  std::int64_t emptySince() const { return emptySince_; }

 private:
  struct Member {
    ParticipantView view;
    SignalingPeer* peer;  // null while away
    std::int64_t sessionKey;
    std::string device;
    std::optional<Identity> identity;  // signed in
    std::string resumeSha256;  // of the token its welcome carried
    std::int64_t awaySince = 0;  // 0: connected
  };
  // Tells the running recording what happened (nothing when not recording).
  void noteForRecording(const std::string& type, const std::string& participantId, const std::string& detail = {});
  // Sends the member the welcome (and the transcription state): on join and on resume.
  void welcome(Member& member, const std::string& resumeToken, std::int64_t now, const ChatPage& chat);
  // Into the room under `id`: from the door (join) or the waiting room (admit).
  std::variant<std::string, ProtocolError> enter(SignalingPeer& peer, Newcomer who, std::string id, std::int64_t now);
  // Why `who` may not come in at all (removed earlier), if so.
  std::optional<ProtocolError> barred(const Newcomer& who) const;
  bool isOwner(const std::optional<Identity>& identity) const;
  Role roleFor(const Newcomer& who) const;
  // Moderators' own checks, and what they all must hear.
  std::variant<Member*, ProtocolError> moderator(const std::string& from);
  void announce(std::string_view action, const std::string& by, const std::string& target = {},
                std::string_view access = {});
  void sendWaitingList();
  // Tells someone at the door why they are not let in, and closes their connection.
  void turnAway(SignalingPeer& peer, std::string_view reason, const std::string& by = {});
  // A moderator turned `member`'s microphone off: they are told, everyone sees it.
  void muteByModerator(Member& member, const std::string& by);
  using UserKey = std::pair<std::string, std::string>;  // (issuer, subject)
  static UserKey userKey(const Identity& identity) { return {identity.issuer, identity.subject}; }
  void admitOne(WaitingRoom::Person person, std::int64_t now);
  void endMeeting(const std::string& by, std::int64_t now);
  // Every member's connection is closed, then each leaves with `reason`: nobody sees the
  // others leave.
  void dismissEveryone(std::string_view reason, std::int64_t now);
  Member* find(const std::string& participantId);
  const Member* find(const std::string& participantId) const;
  void broadcast(const std::string& frame, const std::string& except = {});
  void send(Member& member, std::string frame);
  ChatPage chatPage(std::int64_t beforeId);
  // The relays `participantId` may use, with a credential made for it at `now`.
  std::vector<IceServerView> iceServersFor(const std::string& participantId, std::int64_t now) const;

  store::RoomRecord record_;
  RoomServices services_;
  std::int64_t transcriptionId_ = 0;  // 0: not transcribing
  std::int64_t transcriptionStartedAt_ = 0;
  std::map<std::string, store::ParticipantName> names_;  // every participant seen, for segments after they left
  std::vector<Member> members_;  // in join order
  std::set<std::string> removedDevices_;  // removed by a moderator: not admitted again
  std::set<UserKey> removedUsers_;  // likewise, signed-in users
  std::set<UserKey> promoted_;  // moderators by promotion, for this meeting
  bool locked_ = false;
  WaitingRoom waiting_;
  std::optional<store::RoomStore::ChatUsage> chatUsage_;  // loaded at the first message
  std::int64_t emptySince_ = 0;
};

// Who a transcript segment is by: the participant's name, or "Name (2)" for the second voice
// on a shared microphone, with the speaker id that keeps voices apart ("id#2").
struct TranscriptSpeaker {
  std::string id;
  std::string name;
};
TranscriptSpeaker transcriptSpeaker(const std::string& participantName, const transcribe::LiveSegment& segment);

}  // namespace parley::signaling
