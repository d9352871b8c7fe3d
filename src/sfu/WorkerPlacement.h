#pragma once
// Which worker each participant's media lives on. A room starts on the least busy worker
// and stays there while that worker has room; past `streamsPerWorker` (tracks forwarded to
// its subscribers, estimated from what the room publishes) newcomers go to the least busy
// worker, and the room's shards pipe their tracks to each other. Control thread only.
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::sfu {

class WorkerPlacement {
 public:
  WorkerPlacement(std::size_t workers, std::size_t streamsPerWorker);

  // Where a participant joining `roomId` goes (already placed: where it is).
  unsigned join(const std::string& roomId, const std::string& participantId);
  // Forgets a participant; returns the worker it was on.
  std::optional<unsigned> leave(const std::string& roomId, const std::string& participantId);
  // How many tracks a participant publishes: what each other participant will receive of it.
  void setPublishedTracks(const std::string& roomId, const std::string& participantId, std::size_t tracks);

  std::optional<unsigned> workerOf(const std::string& roomId, const std::string& participantId) const;
  // The workers hosting someone of the room, in increasing order.
  std::vector<unsigned> workersOf(const std::string& roomId) const;
  std::size_t roomParticipantsOn(const std::string& roomId, unsigned worker) const;
  std::size_t participantsOn(unsigned worker) const { return participants_[worker]; }
  // Tracks the worker forwards, one per track and subscriber, by the rooms' published tracks.
  std::size_t estimatedStreams(unsigned worker) const;
  std::size_t roomsSpanningWorkers() const;

 private:
  struct Member {
    unsigned worker;
    std::size_t tracks;
  };
  struct Room {
    std::unordered_map<std::string, Member> members;
    std::vector<std::size_t> perWorker;
    std::size_t tracks = 0;
  };
  unsigned leastBusy() const;

  std::size_t streamsPerWorker_;
  std::vector<std::size_t> participants_;
  std::unordered_map<std::string, Room> rooms_;
};

}  // namespace parley::sfu
