#include "signaling/WaitingRoom.h"

#include <algorithm>
#include <utility>

#include "common/Metrics.h"

namespace parley::signaling {

WaitingRoom::~WaitingRoom() {
  metrics().waitingRoomPeople.fetch_sub(static_cast<std::int64_t>(people_.size()), std::memory_order_relaxed);
}

bool WaitingRoom::add(Person person) {
  if (full()) return false;
  people_.push_back(std::move(person));
  metrics().waitingRoomPeople.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool WaitingRoom::contains(const std::string& id) const {
  return std::any_of(people_.begin(), people_.end(), [&](const Person& p) { return p.id == id; });
}

std::optional<WaitingRoom::Person> WaitingRoom::take(const std::string& id) {
  const auto it = std::find_if(people_.begin(), people_.end(), [&](const Person& p) { return p.id == id; });
  if (it == people_.end()) return std::nullopt;
  Person person = std::move(*it);
  people_.erase(it);
  metrics().waitingRoomPeople.fetch_sub(1, std::memory_order_relaxed);
  return person;
}

std::vector<WaitingRoom::Person> WaitingRoom::takeAll() {
  metrics().waitingRoomPeople.fetch_sub(static_cast<std::int64_t>(people_.size()), std::memory_order_relaxed);
  return std::exchange(people_, {});
}

std::vector<WaitingRoom::Person> WaitingRoom::takeExpired(std::int64_t now) {
  std::vector<Person> expired;
  const auto lapsed = [&](const Person& p) { return now - p.since >= kExpiryMillis; };
  for (auto& p : people_) {
    if (lapsed(p)) expired.push_back(std::move(p));
  }
  people_.erase(std::remove_if(people_.begin(), people_.end(), lapsed), people_.end());
  metrics().waitingRoomPeople.fetch_sub(static_cast<std::int64_t>(expired.size()), std::memory_order_relaxed);
  return expired;
}

std::vector<WaitingView> WaitingRoom::views() const {
  std::vector<WaitingView> out;
  out.reserve(people_.size());
  for (const auto& p : people_) out.push_back({p.id, p.who.name, p.who.guest, p.since});
  return out;
}

}  // namespace parley::signaling
