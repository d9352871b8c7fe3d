#include "store/PostgresStore.h"

#include <algorithm>
#include <limits>

#include "store/PgMigrations.h"

namespace parley::store {

namespace {
constexpr const char* kRoomColumns =
    "SELECT id, name, moderator_token_sha256, created_at, owner_issuer, owner_subject, access FROM rooms ";

RoomRecord roomFrom(const PgResult& r, int row) {
  return RoomRecord{r.text(row, 0), r.text(row, 1), r.text(row, 2), r.integer(row, 3),
                    r.text(row, 4), r.text(row, 5), r.text(row, 6)};
}

std::int64_t flag(bool value) { return value ? 1 : 0; }
}  // namespace

PostgresStore::PostgresStore(const std::string& url) : db_(url) { migrate(db_); }

std::string PostgresStore::describe() const { return "PostgreSQL " + db_.displayUrl(); }

bool PostgresStore::createRoom(const RoomRecord& room) {
  return db_.exec("INSERT INTO rooms (id, name, moderator_token_sha256, created_at, owner_issuer, owner_subject, access) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                  {room.id, room.name, room.moderatorTokenSha256, room.createdAt, room.ownerIssuer, room.ownerSubject,
                   room.access})
             .affected() == 1;
}

std::optional<RoomRecord> PostgresStore::findRoom(const std::string& id) {
  const auto r = db_.exec(std::string(kRoomColumns) + "WHERE id = $1", {id});
  if (r.rows() == 0) return std::nullopt;
  return roomFrom(r, 0);
}

std::vector<RoomRecord> PostgresStore::roomsOwnedBy(const std::string& issuer, const std::string& subject, int limit) {
  std::vector<RoomRecord> rooms;
  if (issuer.empty() || subject.empty()) return rooms;
  const auto r = db_.exec(std::string(kRoomColumns) +
                              "WHERE owner_issuer = $1 AND owner_subject = $2 ORDER BY created_at DESC, id DESC LIMIT $3",
                          {issuer, subject, static_cast<std::int64_t>(limit)});
  for (int row = 0; row < r.rows(); ++row) rooms.push_back(roomFrom(r, row));
  return rooms;
}

void PostgresStore::setRoomAccess(const std::string& id, const std::string& access) {
  db_.exec("UPDATE rooms SET access = $1 WHERE id = $2", {access, id});
}

std::int64_t PostgresStore::recordJoin(const std::string& roomId, const std::string& participantId,
                                       const std::string& name, const std::string& role, bool guest, std::int64_t at,
                                       const std::string& node) {
  return db_.exec("INSERT INTO participant_sessions (room_id, participant_id, name, role, joined_at, guest, node) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                  {roomId, participantId, name, role, at, flag(guest), node})
      .integer(0, 0);
}

void PostgresStore::recordLeave(std::int64_t sessionKey, std::int64_t at, const std::string& reason) {
  db_.exec("UPDATE participant_sessions SET left_at = $1, leave_reason = $2 WHERE id = $3 AND left_at IS NULL",
           {at, reason, sessionKey});
}

std::vector<SessionRecord> PostgresStore::sessions(const std::string& roomId) {
  const auto r = db_.exec(
      "SELECT participant_id, name, role, joined_at, left_at, COALESCE(leave_reason, '') "
      "FROM participant_sessions WHERE room_id = $1 ORDER BY id",
      {roomId});
  std::vector<SessionRecord> out;
  for (int row = 0; row < r.rows(); ++row) {
    out.push_back({r.text(row, 0), r.text(row, 1), r.text(row, 2), r.integer(row, 3), r.optionalInteger(row, 4),
                   r.text(row, 5)});
  }
  return out;
}

std::optional<ParticipantName> PostgresStore::participantName(const std::string& roomId,
                                                              const std::string& participantId) {
  const auto r = db_.exec(
      "SELECT name, guest FROM participant_sessions WHERE room_id = $1 AND participant_id = $2 ORDER BY id DESC LIMIT 1",
      {roomId, participantId});
  if (r.rows() == 0) return std::nullopt;
  return ParticipantName{r.text(0, 0), r.integer(0, 1) != 0};
}

int PostgresStore::closeOpenSessions(std::int64_t at, const std::string& node) {
  return static_cast<int>(db_.exec("UPDATE participant_sessions SET left_at = $1, leave_reason = 'server-restart' "
                                   "WHERE left_at IS NULL AND node = $2",
                                   {at, node})
                              .affected());
}

int PostgresStore::closeSessionsOfLostNodes(const std::vector<std::string>& liveNodes, std::int64_t joinedBefore,
                                            std::int64_t at) {
  std::vector<PgParam> params{at, joinedBefore};
  std::string live;
  for (const auto& node : liveNodes) {
    params.emplace_back(node);
    live += (live.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  const std::string sql =
      "UPDATE participant_sessions SET left_at = $1, leave_reason = 'node-lost' WHERE left_at IS NULL AND joined_at < $2" +
      (live.empty() ? std::string() : " AND node NOT IN (" + live + ")");
  return static_cast<int>(db_.exec(sql, params).affected());
}

ChatRecord PostgresStore::addChat(const std::string& roomId, const std::string& participantId, const std::string& name,
                                  bool guest, const std::string& text, std::int64_t at) {
  const auto id = db_.exec("INSERT INTO chat_messages (room_id, participant_id, name, text, sent_at, guest) "
                           "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                           {roomId, participantId, name, text, at, flag(guest)})
                      .integer(0, 0);
  return ChatRecord{id, participantId, name, text, at, guest};
}

std::vector<ChatRecord> PostgresStore::chatHistory(const std::string& roomId, int limit, std::int64_t beforeId,
                                                   std::size_t maxBytes) {
  const auto r = db_.exec(
      "SELECT id, participant_id, name, text, sent_at, guest FROM chat_messages WHERE room_id = $1 AND id < $2 "
      "ORDER BY id DESC LIMIT $3",
      {roomId, beforeId > 0 ? beforeId : std::numeric_limits<std::int64_t>::max(), static_cast<std::int64_t>(limit)});
  std::vector<ChatRecord> out;
  std::size_t bytes = 0;
  for (int row = 0; row < r.rows(); ++row) {
    ChatRecord record{r.integer(row, 0), r.text(row, 1),    r.text(row, 2),
                      r.text(row, 3),    r.integer(row, 4), r.integer(row, 5) != 0};
    bytes += record.text.size() + record.name.size();
    if (!out.empty() && bytes > maxBytes) break;
    out.push_back(std::move(record));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

RoomStore::ChatUsage PostgresStore::chatUsage(const std::string& roomId) {
  const auto r =
      db_.exec("SELECT COUNT(*), COALESCE(SUM(octet_length(text)), 0) FROM chat_messages WHERE room_id = $1", {roomId});
  return {r.integer(0, 0), r.integer(0, 1)};
}

std::int64_t PostgresStore::startTranscription(const std::string& roomId, std::int64_t at) {
  return db_.exec("INSERT INTO transcriptions (room_id, started_at) VALUES ($1, $2) RETURNING id", {roomId, at})
      .integer(0, 0);
}

void PostgresStore::stopTranscription(std::int64_t id, std::int64_t at) {
  db_.exec("UPDATE transcriptions SET stopped_at = $1 WHERE id = $2 AND stopped_at IS NULL", {at, id});
}

std::optional<TranscriptionRecord> PostgresStore::latestTranscription(const std::string& roomId) {
  const auto r = db_.exec(
      "SELECT id, started_at, stopped_at FROM transcriptions WHERE room_id = $1 ORDER BY id DESC LIMIT 1", {roomId});
  if (r.rows() == 0) return std::nullopt;
  return TranscriptionRecord{r.integer(0, 0), r.integer(0, 1), r.optionalInteger(0, 2)};
}

void PostgresStore::addTranscriptSegment(std::int64_t id, const TranscriptSegmentRecord& s) {
  db_.exec("INSERT INTO transcript_segments (transcription_id, start_ms, end_ms, participant_id, name, text, guest) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7)",
           {id, s.startMs, s.endMs, s.participantId, s.name, s.text, flag(s.guest)});
}

std::vector<TranscriptSegmentRecord> PostgresStore::transcriptSegments(std::int64_t id) {
  const auto r = db_.exec(
      "SELECT start_ms, end_ms, participant_id, name, text, guest FROM transcript_segments WHERE transcription_id = $1 "
      "ORDER BY start_ms, id",
      {id});
  std::vector<TranscriptSegmentRecord> out;
  for (int row = 0; row < r.rows(); ++row) {
    out.push_back({r.integer(row, 0), r.integer(row, 1), r.text(row, 2), r.text(row, 3), r.text(row, 4),
                   r.integer(row, 5) != 0});
  }
  return out;
}

void PostgresStore::saveSummary(const SummaryRecord& s) {
  db_.exec(
      "INSERT INTO meeting_summaries (transcription_id, room_id, state, error, attempts, language, model, markdown, "
      "json, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (transcription_id) DO UPDATE SET "
      "state = excluded.state, error = excluded.error, attempts = excluded.attempts, language = excluded.language, "
      "model = excluded.model, markdown = excluded.markdown, json = excluded.json, updated_at = excluded.updated_at",
      {s.transcriptionId, s.roomId, s.state, s.error, s.attempts, s.language, s.model, s.markdown, s.json,
       s.updatedAt});
}

std::optional<SummaryRecord> PostgresStore::summaryOf(std::int64_t transcriptionId) {
  const auto r = db_.exec(
      "SELECT transcription_id, room_id, state, error, attempts, language, model, markdown, json, updated_at "
      "FROM meeting_summaries WHERE transcription_id = $1",
      {transcriptionId});
  if (r.rows() == 0) return std::nullopt;
  return SummaryRecord{r.integer(0, 0), r.text(0, 1), r.text(0, 2), r.text(0, 3), r.integer(0, 4),
                       r.text(0, 5),    r.text(0, 6), r.text(0, 7), r.text(0, 8), r.integer(0, 9)};
}

void PostgresStore::createUserSession(const UserSessionRecord& s) {
  db_.exec("INSERT INTO user_sessions (id_sha256, issuer, subject, name, email, id_token, created_at, expires_at) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
           {s.idSha256, s.issuer, s.subject, s.name, s.email, s.idToken, s.createdAt, s.expiresAt});
}

std::optional<UserSessionRecord> PostgresStore::findLiveUserSession(const std::string& idSha256, std::int64_t now) {
  const auto r = db_.exec(
      "SELECT id_sha256, issuer, subject, name, email, id_token, created_at, expires_at FROM user_sessions "
      "WHERE id_sha256 = $1 AND revoked_at IS NULL AND expires_at > $2",
      {idSha256, now});
  if (r.rows() == 0) return std::nullopt;
  return UserSessionRecord{r.text(0, 0), r.text(0, 1), r.text(0, 2),    r.text(0, 3),   r.text(0, 4),
                           r.text(0, 5), r.integer(0, 6), r.integer(0, 7), std::nullopt};
}

bool PostgresStore::revokeUserSession(const std::string& idSha256, std::int64_t at) {
  return db_.exec("UPDATE user_sessions SET revoked_at = $1 WHERE id_sha256 = $2 AND revoked_at IS NULL", {at, idSha256})
             .affected() == 1;
}

int PostgresStore::deleteUserSessionsEndedBefore(std::int64_t before) {
  return static_cast<int>(
      db_.exec("DELETE FROM user_sessions WHERE expires_at < $1 OR revoked_at < $1", {before}).affected());
}

}  // namespace parley::store
