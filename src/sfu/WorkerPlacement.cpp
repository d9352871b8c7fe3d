#include "sfu/WorkerPlacement.h"

#include <algorithm>

namespace parley::sfu {

WorkerPlacement::WorkerPlacement(std::size_t workers, std::size_t streamsPerWorker)
    : streamsPerWorker_(streamsPerWorker), participants_(std::max<std::size_t>(workers, 1), 0) {}

std::size_t WorkerPlacement::estimatedStreams(unsigned worker) const {
  std::size_t streams = 0;
  for (const auto& [id, room] : rooms_) streams += room.perWorker[worker] * room.tracks;
  return streams;
}

unsigned WorkerPlacement::leastBusy() const {
  unsigned best = 0;
  std::size_t bestStreams = estimatedStreams(0);
  for (unsigned w = 1; w < participants_.size(); ++w) {
    const std::size_t streams = estimatedStreams(w);
    if (streams < bestStreams || (streams == bestStreams && participants_[w] < participants_[best])) {
      best = w;
      bestStreams = streams;
    }
  }
  return best;
}

unsigned WorkerPlacement::join(const std::string& roomId, const std::string& participantId) {
  auto [it, created] = rooms_.try_emplace(roomId);
  Room& room = it->second;
  if (created) room.perWorker.assign(participants_.size(), 0);
  if (const auto m = room.members.find(participantId); m != room.members.end()) return m->second.worker;
  unsigned chosen = participants_.size();
  // Keep the room together: its busiest shard first, while that worker can take one more
  // subscriber of everything the room publishes.
  std::vector<unsigned> hosts = workersOf(roomId);
  std::stable_sort(hosts.begin(), hosts.end(),
                   [&](unsigned a, unsigned b) { return room.perWorker[a] > room.perWorker[b]; });
  for (unsigned w : hosts) {
    if (estimatedStreams(w) + room.tracks <= streamsPerWorker_) {
      chosen = w;
      break;
    }
  }
  if (chosen == participants_.size()) chosen = leastBusy();
  room.members.emplace(participantId, Member{chosen, 0});
  room.perWorker[chosen]++;
  participants_[chosen]++;
  return chosen;
}

std::optional<unsigned> WorkerPlacement::leave(const std::string& roomId, const std::string& participantId) {
  const auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return std::nullopt;
  Room& room = it->second;
  const auto m = room.members.find(participantId);
  if (m == room.members.end()) return std::nullopt;
  const Member member = m->second;
  room.members.erase(m);
  room.tracks -= member.tracks;
  room.perWorker[member.worker]--;
  participants_[member.worker]--;
  if (room.members.empty()) rooms_.erase(it);
  return member.worker;
}

void WorkerPlacement::setPublishedTracks(const std::string& roomId, const std::string& participantId,
                                         std::size_t tracks) {
  const auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return;
  const auto m = it->second.members.find(participantId);
  if (m == it->second.members.end()) return;
  it->second.tracks = it->second.tracks - m->second.tracks + tracks;
  m->second.tracks = tracks;
}

std::optional<unsigned> WorkerPlacement::workerOf(const std::string& roomId, const std::string& participantId) const {
  const auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return std::nullopt;
  const auto m = it->second.members.find(participantId);
  if (m == it->second.members.end()) return std::nullopt;
  return m->second.worker;
}

std::vector<unsigned> WorkerPlacement::workersOf(const std::string& roomId) const {
  std::vector<unsigned> out;
  const auto it = rooms_.find(roomId);
  if (it == rooms_.end()) return out;
  for (unsigned w = 0; w < it->second.perWorker.size(); ++w) {
    if (it->second.perWorker[w]) out.push_back(w);
  }
  return out;
}

std::size_t WorkerPlacement::roomParticipantsOn(const std::string& roomId, unsigned worker) const {
  const auto it = rooms_.find(roomId);
  return it == rooms_.end() ? 0 : it->second.perWorker[worker];
}

std::size_t WorkerPlacement::roomsSpanningWorkers() const {
  std::size_t count = 0;
  for (const auto& [id, room] : rooms_) {
    if (std::count_if(room.perWorker.begin(), room.perWorker.end(), [](std::size_t n) { return n > 0; }) > 1) {
      ++count;
    }
  }
  return count;
}

}  // namespace parley::sfu
