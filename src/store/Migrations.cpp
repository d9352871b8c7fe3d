#include "store/Migrations.h"

#include <string>

#include "store/Database.h"

namespace parley::store {

namespace {
constexpr std::string_view kMigrations[] = {
    // 1: rooms, who joined and left, chat.
    R"sql(
CREATE TABLE rooms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  moderator_token_sha256 TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE participant_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id TEXT NOT NULL REFERENCES rooms(id),
  participant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  left_at INTEGER,
  leave_reason TEXT
);
CREATE INDEX participant_sessions_room ON participant_sessions(room_id, joined_at);
CREATE TABLE chat_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id TEXT NOT NULL REFERENCES rooms(id),
  participant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  sent_at INTEGER NOT NULL
);
CREATE INDEX chat_messages_room ON chat_messages(room_id, id);
)sql",
    // 2: live transcription: when it ran, and each final segment as soon as it is final.
    R"sql(
CREATE TABLE transcriptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id TEXT NOT NULL REFERENCES rooms(id),
  started_at INTEGER NOT NULL,
  stopped_at INTEGER
);
CREATE TABLE transcript_segments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  transcription_id INTEGER NOT NULL REFERENCES transcriptions(id),
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  participant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX transcript_segments_transcription ON transcript_segments(transcription_id, start_ms);
)sql",
    // 3: signed-in users' sessions (OpenID Connect), by the SHA-256 of the cookie's id.
    R"sql(
CREATE TABLE user_sessions (
  id_sha256 TEXT PRIMARY KEY,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  id_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX user_sessions_expiry ON user_sessions(expires_at);
)sql",
    // 4: rooms' owners (signed-in creators) and access levels; who had not signed in.
    R"sql(
ALTER TABLE participant_sessions ADD COLUMN guest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chat_messages ADD COLUMN guest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transcript_segments ADD COLUMN guest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN owner_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN owner_subject TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN access TEXT NOT NULL DEFAULT 'public';
CREATE INDEX rooms_owner ON rooms(owner_issuer, owner_subject, created_at);
)sql",
    // 5: the node of a cluster that recorded a session ('' for a single server), so that a
    // node's open sessions are closed when it is gone, and only its own.
    R"sql(
ALTER TABLE participant_sessions ADD COLUMN node TEXT NOT NULL DEFAULT '';
CREATE INDEX participant_sessions_open ON participant_sessions(node) WHERE left_at IS NULL;
)sql",
    // 6: each transcription's summary by a language model, its state and its last error.
    R"sql(
CREATE TABLE meeting_summaries (
  transcription_id INTEGER PRIMARY KEY REFERENCES transcriptions(id),
  room_id TEXT NOT NULL REFERENCES rooms(id),
  state TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  language TEXT NOT NULL DEFAULT '',
  model TEXT NOT NULL DEFAULT '',
  markdown TEXT NOT NULL DEFAULT '',
  json TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
)sql",
};
}  // namespace

std::span<const std::string_view> schemaMigrations() { return kMigrations; }

void migrate(Database& db) {
  const int current = db.userVersion();
  const int latest = static_cast<int>(std::size(kMigrations));
  if (current > latest) {
    throw StoreError("the database has schema version " + std::to_string(current) +
                     ", newer than this Parley understands (" + std::to_string(latest) + ")");
  }
  for (int version = current + 1; version <= latest; ++version) {
    Transaction tx(db);
    db.execute(kMigrations[version - 1]);
    db.execute("PRAGMA user_version = " + std::to_string(version));
    tx.commit();
  }
}

}  // namespace parley::store
