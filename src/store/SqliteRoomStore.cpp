#include "store/SqliteRoomStore.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>

#include "store/Migrations.h"

namespace parley::store {

SqliteRoomStore::SqliteRoomStore(const std::string& path) : path_(path), db_(path) { migrate(db_); }

bool SqliteRoomStore::createRoom(const RoomRecord& room) {
  auto stmt = db_.prepare(
      "INSERT OR IGNORE INTO rooms (id, name, moderator_token_sha256, created_at, owner_issuer, owner_subject, access) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  stmt.bind(1, room.id).bind(2, room.name).bind(3, room.moderatorTokenSha256).bind(4, room.createdAt);
  stmt.bind(5, room.ownerIssuer).bind(6, room.ownerSubject).bind(7, room.access);
  stmt.run();
  return sqlite3_changes(db_.handle()) == 1;
}

namespace {
constexpr const char* kRoomColumns =
    "SELECT id, name, moderator_token_sha256, created_at, owner_issuer, owner_subject, access FROM rooms ";

RoomRecord roomFrom(Statement& stmt) {
  return RoomRecord{stmt.columnText(0), stmt.columnText(1), stmt.columnText(2), stmt.columnInt(3),
                    stmt.columnText(4), stmt.columnText(5), stmt.columnText(6)};
}
}  // namespace

std::optional<RoomRecord> SqliteRoomStore::findRoom(const std::string& id) {
  auto stmt = db_.prepare(std::string(kRoomColumns) + "WHERE id = ?");
  stmt.bind(1, id);
  if (!stmt.step()) return std::nullopt;
  return roomFrom(stmt);
}

std::vector<RoomRecord> SqliteRoomStore::roomsOwnedBy(const std::string& issuer, const std::string& subject,
                                                     int limit) {
  std::vector<RoomRecord> rooms;
  if (issuer.empty() || subject.empty()) return rooms;
  auto stmt = db_.prepare(std::string(kRoomColumns) +
                          "WHERE owner_issuer = ? AND owner_subject = ? ORDER BY created_at DESC, rowid DESC LIMIT ?");
  stmt.bind(1, issuer).bind(2, subject).bind(3, static_cast<std::int64_t>(limit));
  while (stmt.step()) rooms.push_back(roomFrom(stmt));
  return rooms;
}

void SqliteRoomStore::setRoomAccess(const std::string& id, const std::string& access) {
  auto stmt = db_.prepare("UPDATE rooms SET access = ? WHERE id = ?");
  stmt.bind(1, access).bind(2, id);
  stmt.run();
}

std::int64_t SqliteRoomStore::recordJoin(const std::string& roomId, const std::string& participantId,
                                         const std::string& name, const std::string& role, bool guest,
                                         std::int64_t at, const std::string& node) {
  auto stmt = db_.prepare(
      "INSERT INTO participant_sessions (room_id, participant_id, name, role, joined_at, guest, node) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  stmt.bind(1, roomId).bind(2, participantId).bind(3, name).bind(4, role).bind(5, at);
  stmt.bind(6, static_cast<std::int64_t>(guest)).bind(7, node);
  stmt.run();
  return db_.lastInsertId();
}

void SqliteRoomStore::recordLeave(std::int64_t sessionKey, std::int64_t at, const std::string& reason) {
  auto stmt = db_.prepare(
      "UPDATE participant_sessions SET left_at = ?, leave_reason = ? WHERE id = ? AND left_at IS NULL");
  stmt.bind(1, at).bind(2, reason).bind(3, sessionKey);
  stmt.run();
}

std::vector<SessionRecord> SqliteRoomStore::sessions(const std::string& roomId) {
  auto stmt = db_.prepare(
      "SELECT participant_id, name, role, joined_at, left_at, COALESCE(leave_reason, '') "
      "FROM participant_sessions WHERE room_id = ? ORDER BY id");
  stmt.bind(1, roomId);
  std::vector<SessionRecord> out;
  while (stmt.step()) {
    SessionRecord record{stmt.columnText(0), stmt.columnText(1), stmt.columnText(2), stmt.columnInt(3),
                         std::nullopt, stmt.columnText(5)};
    if (!stmt.columnIsNull(4)) record.leftAt = stmt.columnInt(4);
    out.push_back(std::move(record));
  }
  return out;
}

std::optional<ParticipantName> SqliteRoomStore::participantName(const std::string& roomId,
                                                                const std::string& participantId) {
  auto stmt = db_.prepare(
      "SELECT name, guest FROM participant_sessions WHERE room_id = ? AND participant_id = ? ORDER BY id DESC LIMIT 1");
  stmt.bind(1, roomId).bind(2, participantId);
  if (!stmt.step()) return std::nullopt;
  return ParticipantName{stmt.columnText(0), stmt.columnInt(1) != 0};
}

int SqliteRoomStore::closeOpenSessions(std::int64_t at, const std::string& node) {
  auto stmt = db_.prepare(
      "UPDATE participant_sessions SET left_at = ?, leave_reason = 'server-restart' WHERE left_at IS NULL AND node = ?");
  stmt.bind(1, at).bind(2, node);
  stmt.run();
  return sqlite3_changes(db_.handle());
}

int SqliteRoomStore::closeSessionsOfLostNodes(const std::vector<std::string>& liveNodes, std::int64_t joinedBefore,
                                              std::int64_t at) {
  std::string sql =
      "UPDATE participant_sessions SET left_at = ?, leave_reason = 'node-lost' WHERE left_at IS NULL AND joined_at < ?";
  if (!liveNodes.empty()) {
    sql += " AND node NOT IN (?";
    for (std::size_t i = 1; i < liveNodes.size(); ++i) sql += ", ?";
    sql += ")";
  }
  auto stmt = db_.prepare(sql);
  stmt.bind(1, at).bind(2, joinedBefore);
  for (std::size_t i = 0; i < liveNodes.size(); ++i) stmt.bind(static_cast<int>(i) + 3, liveNodes[i]);
  stmt.run();
  return sqlite3_changes(db_.handle());
}

ChatRecord SqliteRoomStore::addChat(const std::string& roomId, const std::string& participantId,
                                    const std::string& name, bool guest, const std::string& text,
                                    std::int64_t at) {
  auto stmt = db_.prepare(
      "INSERT INTO chat_messages (room_id, participant_id, name, text, sent_at, guest) VALUES (?, ?, ?, ?, ?, ?)");
  stmt.bind(1, roomId).bind(2, participantId).bind(3, name).bind(4, text).bind(5, at);
  stmt.bind(6, static_cast<std::int64_t>(guest));
  stmt.run();
  return ChatRecord{db_.lastInsertId(), participantId, name, text, at, guest};
}

std::vector<ChatRecord> SqliteRoomStore::chatHistory(const std::string& roomId, int limit, std::int64_t beforeId,
                                                     std::size_t maxBytes) {
  auto stmt = db_.prepare(
      "SELECT id, participant_id, name, text, sent_at, guest FROM chat_messages WHERE room_id = ? AND id < ? "
      "ORDER BY id DESC LIMIT ?");
  stmt.bind(1, roomId)
      .bind(2, beforeId > 0 ? beforeId : std::numeric_limits<std::int64_t>::max())
      .bind(3, static_cast<std::int64_t>(limit));
  std::vector<ChatRecord> out;
  std::size_t bytes = 0;
  while (stmt.step()) {
    ChatRecord record{stmt.columnInt(0),  stmt.columnText(1), stmt.columnText(2),
                      stmt.columnText(3), stmt.columnInt(4),  stmt.columnInt(5) != 0};
    bytes += record.text.size() + record.name.size();
    if (!out.empty() && bytes > maxBytes) break;
    out.push_back(std::move(record));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

RoomStore::ChatUsage SqliteRoomStore::chatUsage(const std::string& roomId) {
  auto stmt = db_.prepare("SELECT COUNT(*), COALESCE(SUM(LENGTH(CAST(text AS BLOB))), 0) FROM chat_messages WHERE room_id = ?");
  stmt.bind(1, roomId);
  stmt.step();
  return {stmt.columnInt(0), stmt.columnInt(1)};
}

std::int64_t SqliteRoomStore::startTranscription(const std::string& roomId, std::int64_t at) {
  auto stmt = db_.prepare("INSERT INTO transcriptions (room_id, started_at) VALUES (?, ?)");
  stmt.bind(1, roomId).bind(2, at);
  stmt.run();
  return db_.lastInsertId();
}

void SqliteRoomStore::stopTranscription(std::int64_t id, std::int64_t at) {
  auto stmt = db_.prepare("UPDATE transcriptions SET stopped_at = ? WHERE id = ? AND stopped_at IS NULL");
  stmt.bind(1, at).bind(2, id);
  stmt.run();
}

std::optional<TranscriptionRecord> SqliteRoomStore::latestTranscription(const std::string& roomId) {
  auto stmt = db_.prepare(
      "SELECT id, started_at, stopped_at FROM transcriptions WHERE room_id = ? ORDER BY id DESC LIMIT 1");
  stmt.bind(1, roomId);
  if (!stmt.step()) return std::nullopt;
  TranscriptionRecord record{stmt.columnInt(0), stmt.columnInt(1), std::nullopt};
  if (!stmt.columnIsNull(2)) record.stoppedAt = stmt.columnInt(2);
  return record;
}

void SqliteRoomStore::addTranscriptSegment(std::int64_t id, const TranscriptSegmentRecord& s) {
  auto stmt = db_.prepare(
      "INSERT INTO transcript_segments (transcription_id, start_ms, end_ms, participant_id, name, text, guest) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  stmt.bind(1, id).bind(2, s.startMs).bind(3, s.endMs).bind(4, s.participantId).bind(5, s.name).bind(6, s.text);
  stmt.bind(7, static_cast<std::int64_t>(s.guest));
  stmt.run();
}

std::vector<TranscriptSegmentRecord> SqliteRoomStore::transcriptSegments(std::int64_t id) {
  auto stmt = db_.prepare(
      "SELECT start_ms, end_ms, participant_id, name, text, guest FROM transcript_segments WHERE transcription_id = ? "
      "ORDER BY start_ms, id");
  stmt.bind(1, id);
  std::vector<TranscriptSegmentRecord> out;
  while (stmt.step()) {
    out.push_back({stmt.columnInt(0), stmt.columnInt(1), stmt.columnText(2), stmt.columnText(3), stmt.columnText(4),
                   stmt.columnInt(5) != 0});
  }
  return out;
}

void SqliteRoomStore::saveSummary(const SummaryRecord& s) {
  auto stmt = db_.prepare(
      "INSERT INTO meeting_summaries (transcription_id, room_id, state, error, attempts, language, model, markdown, "
      "json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (transcription_id) DO UPDATE SET "
      "state = excluded.state, error = excluded.error, attempts = excluded.attempts, language = excluded.language, "
      "model = excluded.model, markdown = excluded.markdown, json = excluded.json, updated_at = excluded.updated_at");
  stmt.bind(1, s.transcriptionId).bind(2, s.roomId).bind(3, s.state).bind(4, s.error).bind(5, s.attempts);
  stmt.bind(6, s.language).bind(7, s.model).bind(8, s.markdown).bind(9, s.json).bind(10, s.updatedAt);
  stmt.run();
}

std::optional<SummaryRecord> SqliteRoomStore::summaryOf(std::int64_t transcriptionId) {
  auto stmt = db_.prepare(
      "SELECT transcription_id, room_id, state, error, attempts, language, model, markdown, json, updated_at "
      "FROM meeting_summaries WHERE transcription_id = ?");
  stmt.bind(1, transcriptionId);
  if (!stmt.step()) return std::nullopt;
  return SummaryRecord{stmt.columnInt(0),  stmt.columnText(1), stmt.columnText(2), stmt.columnText(3),
                       stmt.columnInt(4),  stmt.columnText(5), stmt.columnText(6), stmt.columnText(7),
                       stmt.columnText(8), stmt.columnInt(9)};
}

void SqliteRoomStore::createUserSession(const UserSessionRecord& session) {
  auto stmt = db_.prepare(
      "INSERT INTO user_sessions (id_sha256, issuer, subject, name, email, id_token, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  stmt.bind(1, session.idSha256).bind(2, session.issuer).bind(3, session.subject).bind(4, session.name);
  stmt.bind(5, session.email).bind(6, session.idToken).bind(7, session.createdAt).bind(8, session.expiresAt);
  stmt.run();
}

std::optional<UserSessionRecord> SqliteRoomStore::findLiveUserSession(const std::string& idSha256, std::int64_t now) {
  auto stmt = db_.prepare(
      "SELECT id_sha256, issuer, subject, name, email, id_token, created_at, expires_at FROM user_sessions "
      "WHERE id_sha256 = ? AND revoked_at IS NULL AND expires_at > ?");
  stmt.bind(1, idSha256).bind(2, now);
  if (!stmt.step()) return std::nullopt;
  return UserSessionRecord{stmt.columnText(0), stmt.columnText(1), stmt.columnText(2), stmt.columnText(3),
                           stmt.columnText(4), stmt.columnText(5), stmt.columnInt(6), stmt.columnInt(7), std::nullopt};
}

bool SqliteRoomStore::revokeUserSession(const std::string& idSha256, std::int64_t at) {
  auto stmt = db_.prepare("UPDATE user_sessions SET revoked_at = ? WHERE id_sha256 = ? AND revoked_at IS NULL");
  stmt.bind(1, at).bind(2, idSha256);
  stmt.run();
  return sqlite3_changes(db_.handle()) == 1;
}

int SqliteRoomStore::deleteUserSessionsEndedBefore(std::int64_t before) {
  auto stmt = db_.prepare("DELETE FROM user_sessions WHERE expires_at < ? OR revoked_at < ?");
  stmt.bind(1, before).bind(2, before);
  stmt.run();
  return sqlite3_changes(db_.handle());
}

}  // namespace parley::store
