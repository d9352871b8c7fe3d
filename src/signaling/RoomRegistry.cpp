#include "signaling/RoomRegistry.h"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <vector>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "common/Prometheus.h"
#include "common/Random.h"
#include "common/Text.h"
#include "signaling/Validation.h"

namespace parley::signaling {

RoomRegistry::RoomRegistry(store::RoomStore& store, sfu::MediaPlane* media,
                           meeting::TranscriptionService* transcription)
    : store_(store), media_(media), transcription_(transcription) {}

RoomRegistry::CreatedRoom RoomRegistry::create(const std::string& name, const std::optional<Identity>& owner,
                                               AccessLevel access) {
  // 47 random bits make a collision unlikely, not impossible: retry on one.
  for (int attempt = 0; attempt < 8; ++attempt) {
    CreatedRoom created;
    created.moderatorToken = randomToken(32);
    created.record.id = randomRoomId();
    created.record.name = name;
    created.record.moderatorTokenSha256 = sha256Hex(created.moderatorToken);
    created.record.createdAt = unixMillisNow();
    if (owner) {
      created.record.ownerIssuer = owner->issuer;
      created.record.ownerSubject = owner->subject;
    }
    created.record.access = accessLevelName(access);
    if (store_.createRoom(created.record)) {
      metrics().roomsCreated.fetch_add(1, std::memory_order_relaxed);
      return created;
    }
  }
  throw std::runtime_error("could not find a free room id");
}

std::optional<store::RoomRecord> RoomRegistry::find(const std::string& id) {
  if (!isValidRoomId(id)) return std::nullopt;
  if (auto live = active(id)) return live->record();
  return store_.findRoom(id);
}

std::shared_ptr<Room> RoomRegistry::open(const std::string& id) {
  if (auto live = active(id)) return live;
  auto record = find(id);
  if (!record) return nullptr;
  auto room = std::make_shared<Room>(std::move(*record), RoomServices{store_, writes_, media_, transcription_, recordings_, &iceServers_, &node_});
  live_.emplace(id, room);
  return room;
}

std::shared_ptr<Room> RoomRegistry::active(const std::string& id) const {
  const auto it = live_.find(id);
  return it == live_.end() ? nullptr : it->second;
}

void RoomRegistry::release(const std::string& id) {
  const auto it = live_.find(id);
  if (it != live_.end() && it->second->idle() && !it->second->transcribing()) live_.erase(it);
}

std::vector<std::string> RoomRegistry::liveRoomIds() const {
  std::vector<std::string> ids;
  ids.reserve(live_.size());
  for (const auto& [id, room] : live_) ids.push_back(id);
  return ids;
}

bool RoomRegistry::handOver(const std::string& id, std::int64_t now) {
  const auto room = active(id);
  if (!room) return false;
  room->handOver(now);
  release(id);
  return true;
}

void RoomRegistry::stopAllTranscriptions(std::int64_t now) {
  for (auto& [id, room] : live_) room->stopTranscription(now);
}

void RoomRegistry::deliverSegment(const std::string& roomId, std::int64_t transcriptionId,
                                  const transcribe::LiveSegment& segment) {
  if (const auto room = active(roomId); room && room->transcriptionId() == transcriptionId) {
    room->onTranscriptSegment(segment);
    return;
  }
  if (segment.partial || segment.text.empty()) return;  // nobody left to show it to
  writes_.run("transcript", [this, roomId, transcriptionId, segment] {
    const auto name = store_.participantName(roomId, segment.track).value_or(store::ParticipantName{"?"});
    const auto speaker = transcriptSpeaker(name.name, segment);
    store_.addTranscriptSegment(transcriptionId, {static_cast<std::int64_t>(segment.start * 1000),
                                                  static_cast<std::int64_t>(segment.end * 1000), speaker.id,
                                                  speaker.name, segment.text, name.guest});
  });
}

void RoomRegistry::sweep(std::int64_t now) {
  writes_.retry();
  std::vector<std::string> emptied;
  for (const auto& [id, room] : live_) {
    if (room->idle()) continue;
    room->expireWaiting(now);
    room->expireAway(now);
    if (room->idle()) emptied.push_back(id);
  }
  for (const auto& id : emptied) release(id);
  std::vector<std::string> idle;
  for (const auto& [id, room] : live_) {
    if (room->empty() && room->emptySince() != 0 && now - room->emptySince() >= emptyTimeoutMillis_) {
      idle.push_back(id);
    }
  }
  for (const auto& id : idle) {
    if (auto room = active(id); room && room->stopTranscription(now)) {
      spdlog::info("room {}: transcription stopped, nobody has been in the room for {} s", id,
                   emptyTimeoutMillis_ / 1000);
    }
    release(id);
  }
}

std::size_t RoomRegistry::participantCount() const {
  std::size_t total = 0;
  for (const auto& [id, room] : live_) total += room->size();
  return total;
}

std::string RoomRegistry::renderMetrics() const {
  PrometheusText out;
  out.counter("parley_store_errors_total", "Database operations that failed (locked, full disk); each failed only its request.",
              writes_.counters().errors);
  out.gauge("parley_store_writes_pending", "Writes kept through a database error, to be retried.", writes_.pending());
  out.counter("parley_store_writes_dropped_total", "Kept writes given up because too many waited.",
              writes_.counters().writesDropped);
  return out.str();
}

bool RoomRegistry::isModeratorToken(const store::RoomRecord& room, std::string_view token) {
  return !token.empty() && constantTimeEquals(sha256Hex(token), room.moderatorTokenSha256);
}

}  // namespace parley::signaling
