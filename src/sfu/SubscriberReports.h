#pragma once
// Sender reports to subscribers, every second, one per track each receives: on the
// publisher's clock mapping (timestamps pass through unchanged, so the browser can sync
// audio and video), advanced by the time since the publisher's own report. Each report's
// time is noted by its consumer, which learns the round-trip time from the answer.
#include <cstdint>
#include <memory>
#include <vector>

#include "sfu/MediaParticipant.h"

namespace parley::sfu {

class SubscriberReports {
 public:
  void tick(std::vector<std::unique_ptr<MediaParticipant>>& participants, std::int64_t nowMicros);

 private:
  void report(MediaParticipant& subscriber, std::int64_t now, std::int64_t wall);
  std::int64_t last_ = 0;
};

}  // namespace parley::sfu
