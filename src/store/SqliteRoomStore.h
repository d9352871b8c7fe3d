#pragma once
#include <memory>

#include "store/Database.h"
#include "store/Store.h"

namespace parley::store {

// Rooms in a SQLite file (WAL). Not thread-safe: the control plane owns it on one thread.
class SqliteRoomStore final : public Store {
 public:
  // `path` is a file, or ":memory:" for tests. Applies pending migrations.
  explicit SqliteRoomStore(const std::string& path);

  std::string describe() const override { return "SQLite " + path_; }

  bool createRoom(const RoomRecord& room) override;
  std::optional<RoomRecord> findRoom(const std::string& id) override;
  std::vector<RoomRecord> roomsOwnedBy(const std::string& issuer, const std::string& subject, int limit) override;
  void setRoomAccess(const std::string& id, const std::string& access) override;
  std::int64_t recordJoin(const std::string& roomId, const std::string& participantId, const std::string& name,
                          const std::string& role, bool guest, std::int64_t at,
                          const std::string& node = {}) override;
  void recordLeave(std::int64_t sessionKey, std::int64_t at, const std::string& reason) override;
  std::vector<SessionRecord> sessions(const std::string& roomId) override;
  std::optional<ParticipantName> participantName(const std::string& roomId, const std::string& participantId) override;
  int closeOpenSessions(std::int64_t at, const std::string& node = {}) override;
  int closeSessionsOfLostNodes(const std::vector<std::string>& liveNodes, std::int64_t joinedBefore,
                               std::int64_t at) override;
  ChatRecord addChat(const std::string& roomId, const std::string& participantId, const std::string& name,
                     bool guest, const std::string& text, std::int64_t at) override;
  std::vector<ChatRecord> chatHistory(const std::string& roomId, int limit, std::int64_t beforeId = 0,
                                      std::size_t maxBytes = SIZE_MAX) override;
  ChatUsage chatUsage(const std::string& roomId) override;
  std::int64_t startTranscription(const std::string& roomId, std::int64_t at) override;
  void stopTranscription(std::int64_t transcriptionId, std::int64_t at) override;
  std::optional<TranscriptionRecord> latestTranscription(const std::string& roomId) override;
  void addTranscriptSegment(std::int64_t transcriptionId, const TranscriptSegmentRecord& segment) override;
  std::vector<TranscriptSegmentRecord> transcriptSegments(std::int64_t transcriptionId) override;
  void saveSummary(const SummaryRecord& summary) override;
  std::optional<SummaryRecord> summaryOf(std::int64_t transcriptionId) override;

  void createUserSession(const UserSessionRecord& session) override;
  std::optional<UserSessionRecord> findLiveUserSession(const std::string& idSha256, std::int64_t now) override;
  bool revokeUserSession(const std::string& idSha256, std::int64_t at) override;
  int deleteUserSessionsEndedBefore(std::int64_t before) override;

 private:
  std::string path_;
  Database db_;
};

}  // namespace parley::store
