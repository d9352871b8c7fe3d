#pragma once
// One meeting while people are in it: who is there, their hand and mute state, and the
// fan-out of events to everyone's connection. Lives on the control-plane thread.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meeting/TranscriptionService.h"
#include "sfu/MediaService.h"
#include "signaling/Protocol.h"
#include "signaling/SignalingPeer.h"
#include "store/RoomStore.h"

namespace parley::signaling {

inline constexpr std::size_t kMaxParticipantsPerRoom = 100;
inline constexpr int kChatHistoryOnJoin = 500;

class Room {
 public:
  // `media` may be null: a room then carries signaling only (tests, media disabled).
  Room(store::RoomRecord record, store::RoomStore& store, sfu::MediaService* media,
       meeting::TranscriptionService* transcription = nullptr);
  ~Room();
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const store::RoomRecord& record() const { return record_; }
  const std::string& id() const { return record_.id; }
  bool empty() const { return members_.empty(); }
  std::size_t size() const { return members_.size(); }
  bool has(const std::string& participantId) const { return find(participantId) != nullptr; }
  std::vector<ParticipantView> participants() const;

  // Adds a participant, sends it the welcome (list and chat history) and tells the others.
  // Returns the new participant's id, or an error (room full).
  std::variant<std::string, ProtocolError> join(SignalingPeer& peer, const std::string& name, Role role,
                                                std::int64_t now);
  // Removes the participant and tells the others; does nothing if it is not here.
  void leave(const std::string& participantId, std::string_view reason, std::int64_t now);

  void chat(const std::string& from, const std::string& text, std::int64_t now);
  void setHand(const std::string& from, bool raised);
  void react(const std::string& from, const std::string& reaction);
  void setMediaState(const std::string& from, const MediaStateRequest& state);
  std::optional<ProtocolError> moderate(const std::string& from, const ModerateRequest& request, std::int64_t now);
  void publish(const std::string& from, const PublishRequest& request);
  void subscribeAnswer(const std::string& from, const SubscribeAnswerRequest& request);
  // What the media plane says about this room, on the control thread.
  void onMediaEvent(const sfu::MediaEvent& event, std::int64_t now);

  // Live transcription (moderators, through REST). False if unavailable or already so.
  bool startTranscription(std::int64_t now);
  bool stopTranscription(std::int64_t now);
  bool transcribing() const { return transcriber_ != nullptr; }
  std::int64_t transcriptionStartedAt() const { return transcriptionStartedAt_; }

 private:
  struct Member {
    ParticipantView view;
    SignalingPeer* peer;
    std::int64_t sessionKey;
  };
  Member* find(const std::string& participantId);
  const Member* find(const std::string& participantId) const;
  void broadcast(const std::string& frame, const std::string& except = {});
  void send(Member& member, std::string frame);

  store::RoomRecord record_;
  store::RoomStore& store_;
  sfu::MediaService* media_;
  meeting::TranscriptionService* transcription_;
  std::shared_ptr<meeting::RoomTranscriber> transcriber_;
  std::int64_t transcriptionId_ = 0;
  std::int64_t transcriptionStartedAt_ = 0;
  std::map<std::string, std::string> names_;  // every participant seen, for segments after they left
  std::vector<Member> members_;  // in join order
};

}  // namespace parley::signaling
