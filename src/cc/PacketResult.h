#pragma once
// What transport-wide feedback says about one packet we sent: when it left, how big it was,
// and when it arrived (or that it did not). The input of the bandwidth estimator.
#include <cstdint>

namespace parley::cc {

struct PacketResult {
  std::int64_t sendMicros = 0;
  std::int64_t arrivalMicros = -1;  // on the receiver's clock; -1: lost
  std::uint32_t bytes = 0;
  bool received() const { return arrivalMicros >= 0; }
};

}  // namespace parley::cc
