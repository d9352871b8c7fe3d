#pragma once
// Token buckets per key (a client's address): `burst` at once, then `perSecond` sustained.
// Memory is bounded: past kMaxKeys keys, all are forgotten at once (a flood of addresses
// resets the table, never grows it). Not thread-safe: one owner thread.
#include <cstdint>
#include <string>
#include <unordered_map>

#include "signaling/RateLimiter.h"

namespace parley::signaling {

class KeyedRateLimits {
 public:
  static constexpr std::size_t kMaxKeys = 10000;

  KeyedRateLimits(double perSecond, double burst) : perSecond_(perSecond), burst_(burst) {}

  // False when `key` must wait.
  bool allow(const std::string& key, std::int64_t nowMillis) {
    if (limits_.size() > kMaxKeys) limits_.clear();
    auto [limit, inserted] = limits_.try_emplace(key, perSecond_, burst_);
    return limit->second.allow(nowMillis);
  }

 private:
  double perSecond_, burst_;
  std::unordered_map<std::string, RateLimiter> limits_;
};

}  // namespace parley::signaling
