#pragma once
// Creates rooms and holds the ones people are in. A room's lasting data (name, token
// hash, history, chat) is in the store; a Room object exists only while it is in use.
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "signaling/KeyedRateLimits.h"
#include "signaling/Room.h"
#include "store/RoomStore.h"

namespace parley::signaling {

class RoomRegistry {
 public:
  explicit RoomRegistry(store::RoomStore& store, sfu::MediaPlane* media = nullptr,
                        meeting::TranscriptionService* transcription = nullptr);

  struct CreatedRoom {
    store::RoomRecord record;
    std::string moderatorToken;  // shown once; only its hash is stored
  };
  // `name` must be validated already. `owner`: the signed-in creator, if any.
  CreatedRoom create(const std::string& name, const std::optional<Identity>& owner = std::nullopt,
                     AccessLevel access = AccessLevel::Public);

  std::optional<store::RoomRecord> find(const std::string& id);
  // The live room, loaded from the store if nobody is in it yet; nullptr if unknown.
  std::shared_ptr<Room> open(const std::string& id);
  // The live room if someone is in it.
  std::shared_ptr<Room> active(const std::string& id) const;
  // Drops the live room if nobody is in it or waiting, and it is not being transcribed.
  void release(const std::string& id);

  // The ids of the live rooms.
  std::vector<std::string> liveRoomIds() const;
  // This server is no longer the home of room `id` (a node of a cluster found another node
  // holding it): everyone in it is let go to reconnect there (Room::handOver), and the room
  // is released. False if the room is not live here.
  bool handOver(const std::string& id, std::int64_t now);

  // Server shutdown: stops every live transcription while the media plane still runs.
  void stopAllTranscriptions(std::int64_t now);

  // A transcript segment from the transcription service, on the control thread, addressed
  // by ids: the live room shows and stores it; if the room has gone (or moved on to another
  // transcription), a final segment is still stored, under the name the history has.
  void deliverSegment(const std::string& roomId, std::int64_t transcriptionId, const transcribe::LiveSegment& segment);

  // Periodic upkeep on the control thread: participants away past the resume window leave;
  // a room that has been empty for `emptyTimeout` stops being transcribed and is released.
  void sweep(std::int64_t now);
  void setEmptyRoomTimeout(std::int64_t millis) { emptyTimeoutMillis_ = millis; }
  // People sign in on this server (OpenID Connect): those who have not are guests.
  void setSignInEnabled(bool enabled) { signInEnabled_ = enabled; }
  bool signInEnabled() const { return signInEnabled_; }
  // Knocking at a waiting room, per client address: a few at once, then one every 12 s.
  bool allowKnock(const std::string& address, std::int64_t now) { return knockLimits_.allow(address, now); }
  // The TURN relays every participant is given credentials for from now on.
  // Recordings, for rooms opened from now on (null: none).
  void setRecordings(meeting::RecordingService* recordings) { recordings_ = recordings; }
  void setIceServers(IceServerSettings settings) { iceServers_ = std::move(settings); }
  // A node of a cluster: the id its participants' sessions are recorded under (before the
  // first join).
  void setNode(std::string node) { node_ = std::move(node); }

  // While a cluster's coordination (Redis) is unreachable, new people are refused with
  // `reason`; those in a call, and those resuming one, go on. Empty: joins are open.
  void setJoinsRefused(std::string reason) { joinsRefused_ = std::move(reason); }
  const std::string& joinsRefused() const { return joinsRefused_; }
  // People in the calls of live rooms.
  std::size_t participantCount() const;

  store::RoomStore& store() { return store_; }
  // Writes kept through database errors, retried by sweep(); and the store's error count.
  store::PendingWrites& writes() { return writes_; }

  static bool isModeratorToken(const store::RoomRecord& room, std::string_view token);

  // The database's health for /metrics: errors, writes kept for later, writes given up.
  std::string renderMetrics() const;

 private:
  store::RoomStore& store_;
  store::PendingWrites writes_;
  sfu::MediaPlane* media_;
  meeting::TranscriptionService* transcription_;
  meeting::RecordingService* recordings_ = nullptr;
  std::unordered_map<std::string, std::shared_ptr<Room>> live_;
  std::int64_t emptyTimeoutMillis_ = 3 * 60 * 1000;
  IceServerSettings iceServers_;
  std::string node_;
  bool signInEnabled_ = false;
  std::string joinsRefused_;
  KeyedRateLimits knockLimits_{1.0 / 12, 5};
};

}  // namespace parley::signaling
