#pragma once
// A log line that can repeat fast (a refused connection, a database error) goes out at most
// once per interval; the ones held back in between are counted and told with the next one,
// so a flood costs no disk and an operator still learns how many there were. One thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

namespace parley {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // The number of lines held back since the last one that went out, if this one may go out
  // now; nothing if it is held back too (and counted).
  std::optional<std::uint64_t> pass(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
    if (now < next_) {
      ++held_;
      return std::nullopt;
    }
    next_ = now + interval_;
    return std::exchange(held_, 0);
  }

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point next_{};
  std::uint64_t held_ = 0;
};

}  // namespace parley
