#pragma once
// Arrival times of a publisher's packets by transport-wide sequence number, turned into
// feedback packets every 100 ms so its browser's bandwidth estimator can ramp up.
#include <cstdint>
#include <vector>

#include "rtp/TransportFeedback.h"

namespace parley::sfu {

class TwccRecorder {
 public:
  TwccRecorder() { arrivals_.reserve(1024); }

  void onPacket(std::uint16_t transportSeq, std::int64_t arrivalMicros);
  // Writes feedback for everything recorded since the last call; 0 bytes if nothing.
  std::size_t writeFeedback(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc,
                            std::uint32_t mediaSsrc);

 private:
  bool started_ = false;
  std::int64_t nextSeq_ = 0;  // unwrapped: the first sequence number not yet reported
  std::int64_t highest_ = -1;
  std::uint16_t lastRaw_ = 0;
  std::int64_t cycles_ = 0;
  std::uint8_t feedbackCount_ = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> arrivals_;  // (unwrapped seq, micros)
  std::vector<rtp::PacketArrival> scratch_;
};

}  // namespace parley::sfu
