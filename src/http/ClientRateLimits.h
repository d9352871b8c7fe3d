#pragma once
// Token buckets per client address, for HTTP routes anonymous clients may call: `burst` at
// once, then `perSecond` sustained, in bounded memory (signaling::KeyedRateLimits). A
// refusal is counted in parley_http_rate_limited_total. Control thread only.
#include "common/Clock.h"
#include "common/Metrics.h"
#include "http/HttpPolicy.h"
#include "signaling/KeyedRateLimits.h"

namespace parley::http {

class ClientRateLimits {
 public:
  ClientRateLimits(double perSecond, double burst) : limits_(perSecond, burst) {}

  // False when the client must wait.
  bool allow(const ClientInfo& client) {
    if (limits_.allow(client.key(), unixMillisNow())) return true;
    metrics().httpRateLimited++;
    return false;
  }

 private:
  signaling::KeyedRateLimits limits_;
};

}  // namespace parley::http
