#pragma once
// What Parley keeps about meetings, independent of where it is kept. SQLite is the embedded
// default; a server database can implement the same interface.
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace parley::store {

struct RoomRecord {
  std::string id;
  std::string name;
  std::string moderatorTokenSha256;
  std::int64_t createdAt = 0;  // unix milliseconds
  // Who created it, as their identity provider names them; empty for a room created
  // without signing in.
  std::string ownerIssuer, ownerSubject;
  std::string access = "public";  // who waits to be admitted: "public", "trusted", "restricted"

  bool ownedBy(const std::string& issuer, const std::string& subject) const {
    return !ownerIssuer.empty() && issuer == ownerIssuer && subject == ownerSubject;
  }
};

struct ChatRecord {
  std::int64_t id = 0;
  std::string participantId;
  std::string name;
  std::string text;
  std::int64_t sentAt = 0;
  bool guest = false;  // the sender had not signed in
};

struct SessionRecord {
  std::string participantId;
  std::string name;
  std::string role;
  std::int64_t joinedAt = 0;
  std::optional<std::int64_t> leftAt;
  std::string leaveReason;
};

struct TranscriptSegmentRecord {
  std::int64_t startMs = 0;  // since the transcription started
  std::int64_t endMs = 0;
  std::string participantId;
  std::string name;
  std::string text;
  bool guest = false;  // the speaker had not signed in
};

// A participant as the history knows them.
struct ParticipantName {
  std::string name;
  bool guest = false;
};

struct TranscriptionRecord {
  std::int64_t id = 0;
  std::int64_t startedAt = 0;
  std::optional<std::int64_t> stoppedAt;
};

// A transcription's summary by a language model, and how far it got.
struct SummaryRecord {
  std::int64_t transcriptionId = 0;
  std::string roomId;
  std::string state;  // "pending" (being written or waiting for a retry), "done" or "failed"
  std::string error;  // why the last attempt failed, if it did
  std::int64_t attempts = 0;
  std::string language;
  std::string model;
  std::string markdown;
  std::string json;
  std::int64_t updatedAt = 0;
};

class RoomStore {
 public:
  virtual ~RoomStore() = default;

  // False if a room with this id exists already.
  virtual bool createRoom(const RoomRecord& room) = 0;
  virtual std::optional<RoomRecord> findRoom(const std::string& id) = 0;
  // The rooms a signed-in user created, newest first, at most `limit`.
  virtual std::vector<RoomRecord> roomsOwnedBy(const std::string& issuer, const std::string& subject, int limit) = 0;
  virtual void setRoomAccess(const std::string& id, const std::string& access) = 0;

  // Join and leave history, each session recorded by `node` (a cluster's node id; '' for a
  // single server); returns the session's key for recordLeave.
  virtual std::int64_t recordJoin(const std::string& roomId, const std::string& participantId,
                                  const std::string& name, const std::string& role, bool guest, std::int64_t at,
                                  const std::string& node = {}) = 0;
  virtual void recordLeave(std::int64_t sessionKey, std::int64_t at, const std::string& reason) = 0;
  virtual std::vector<SessionRecord> sessions(const std::string& roomId) = 0;
  // The name a participant last joined the room with, if they ever did.
  virtual std::optional<ParticipantName> participantName(const std::string& roomId, const std::string& participantId) = 0;
  // After a crash, sessions were left open: close the ones `node` recorded at `at`.
  // Returns how many.
  virtual int closeOpenSessions(std::int64_t at, const std::string& node = {}) = 0;
  // A cluster's nodes died: close at `at` the open sessions recorded by any node but
  // `liveNodes`, among those that joined before `joinedBefore` (a node that started since
  // is not in the caller's view of the live ones yet). Returns how many.
  virtual int closeSessionsOfLostNodes(const std::vector<std::string>& liveNodes, std::int64_t joinedBefore,
                                       std::int64_t at) = 0;

  virtual ChatRecord addChat(const std::string& roomId, const std::string& participantId,
                             const std::string& name, bool guest, const std::string& text, std::int64_t at) = 0;
  // The newest messages before message `beforeId` (0: the newest of all), oldest first: at
  // most `limit` of them and `maxBytes` of text (but always one if there is one).
  virtual std::vector<ChatRecord> chatHistory(const std::string& roomId, int limit, std::int64_t beforeId = 0,
                                              std::size_t maxBytes = SIZE_MAX) = 0;
  struct ChatUsage {
    std::int64_t messages = 0;
    std::int64_t bytes = 0;  // of text
  };
  virtual ChatUsage chatUsage(const std::string& roomId) = 0;

  virtual std::int64_t startTranscription(const std::string& roomId, std::int64_t at) = 0;
  virtual void stopTranscription(std::int64_t transcriptionId, std::int64_t at) = 0;
  // The room's latest transcription, if any.
  virtual std::optional<TranscriptionRecord> latestTranscription(const std::string& roomId) = 0;
  virtual void addTranscriptSegment(std::int64_t transcriptionId, const TranscriptSegmentRecord& segment) = 0;
  virtual std::vector<TranscriptSegmentRecord> transcriptSegments(std::int64_t transcriptionId) = 0;

  // Writes a transcription's summary, replacing the one it had.
  virtual void saveSummary(const SummaryRecord& summary) = 0;
  virtual std::optional<SummaryRecord> summaryOf(std::int64_t transcriptionId) = 0;
};

}  // namespace parley::store
