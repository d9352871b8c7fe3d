#include "signaling/RoomRegistry.h"

#include <stdexcept>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "common/Random.h"
#include "common/Text.h"
#include "signaling/Validation.h"

namespace parley::signaling {

RoomRegistry::RoomRegistry(store::RoomStore& store, sfu::MediaService* media,
                           meeting::TranscriptionService* transcription)
    : store_(store), media_(media), transcription_(transcription) {}

RoomRegistry::CreatedRoom RoomRegistry::create(const std::string& name) {
  // 47 random bits make a collision unlikely, not impossible: retry on one.
  for (int attempt = 0; attempt < 8; ++attempt) {
    CreatedRoom created;
    created.moderatorToken = randomToken(32);
    created.record = {randomRoomId(), name, sha256Hex(created.moderatorToken), unixMillisNow()};
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
  auto room = std::make_shared<Room>(std::move(*record), store_, media_, transcription_);
  live_.emplace(id, room);
  return room;
}

std::shared_ptr<Room> RoomRegistry::active(const std::string& id) const {
  const auto it = live_.find(id);
  return it == live_.end() ? nullptr : it->second;
}

void RoomRegistry::release(const std::string& id) {
  const auto it = live_.find(id);
  if (it != live_.end() && it->second->empty() && !it->second->transcribing()) live_.erase(it);
}

void RoomRegistry::stopAllTranscriptions(std::int64_t now) {
  for (auto& [id, room] : live_) room->stopTranscription(now);
}

bool RoomRegistry::isModeratorToken(const store::RoomRecord& room, std::string_view token) {
  return !token.empty() && constantTimeEquals(sha256Hex(token), room.moderatorTokenSha256);
}

}  // namespace parley::signaling
