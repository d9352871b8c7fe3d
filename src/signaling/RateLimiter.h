#pragma once
// A token bucket: `burst` messages at once, `perSecond` sustained.
#include <algorithm>
#include <cstdint>

namespace parley::signaling {

class RateLimiter {
 public:
  RateLimiter(double perSecond, double burst) : rate_(perSecond), burst_(burst), tokens_(burst) {}

  bool allow(std::int64_t nowMillis) {
    if (last_ != 0) tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(nowMillis - last_) / 1000.0);
    last_ = nowMillis;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::int64_t last_ = 0;
};

}  // namespace parley::signaling
