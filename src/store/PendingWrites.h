#pragma once
// Writes that must not be lost to a passing database error (a lock held by a backup, a
// full disk for a moment): run() tries a write at once and, if the store refuses it, keeps
// it to try again at the next retry(), in order. Bounded: past `capacity` kept writes, the
// oldest is given up and counted. Errors are logged at most once a minute, with how many
// happened meanwhile, and counted for /metrics. Control thread only.
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "common/LogThrottle.h"

namespace parley::store {

struct StoreErrorCounters {
  std::uint64_t errors = 0;          // writes or reads the store refused
  std::uint64_t writesDropped = 0;   // kept writes given up (capacity)
};

class PendingWrites {
 public:
  explicit PendingWrites(std::size_t capacity = 10000) : capacity_(capacity) {}

  // Runs `write`; returns false (and keeps it for later) if the store threw StoreError.
  bool run(const char* what, std::function<void()> write);
  // Tries the kept writes again, oldest first, stopping at the first that still fails.
  // Returns how many are still kept.
  std::size_t retry();

  // Any store error met elsewhere (a request that failed with it): counted and logged.
  void noteError(const char* what, const std::string& message);

  std::size_t pending() const { return queue_.size(); }
  const StoreErrorCounters& counters() const { return counters_; }

 private:
  struct Kept {
    const char* what;
    std::function<void()> write;
  };
  std::size_t capacity_;
  std::deque<Kept> queue_;
  StoreErrorCounters counters_;
  LogThrottle errorLog_{std::chrono::minutes(1)};
};

}  // namespace parley::store
