#pragma once
// Token buckets per client address, for HTTP routes anonymous clients may call: `burst` at
// once, then `perSecond` sustained. Memory is bounded: past kMaxClients addresses, all are
// forgotten at once (a flood of addresses resets the table, never grows it). A refusal is
// counted in parley_http_rate_limited_total. Control thread only.
#include <string>
#include <unordered_map>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "http/HttpPolicy.h"
#include "signaling/RateLimiter.h"

namespace parley::http {

class ClientRateLimits {
 public:
  static constexpr std::size_t kMaxClients = 10000;

  ClientRateLimits(double perSecond, double burst) : perSecond_(perSecond), burst_(burst) {}

  // False when the client must wait.
  bool allow(const ClientInfo& client) {
    if (limits_.size() > kMaxClients) limits_.clear();
    auto [limit, inserted] = limits_.try_emplace(client.key(), perSecond_, burst_);
    if (limit->second.allow(unixMillisNow())) return true;
    metrics().httpRateLimited++;
    return false;
  }

 private:
  double perSecond_, burst_;
  std::unordered_map<std::string, signaling::RateLimiter> limits_;
};

}  // namespace parley::http
