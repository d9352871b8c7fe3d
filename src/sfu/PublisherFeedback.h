#pragma once
// What the SFU tells publishers, on the worker's clock: NACKs for missing packets and key
// frame requests (every 40 ms, PLIs merged to one per 500 ms per track), transport-wide
// congestion control feedback (every 100 ms, so the browser's estimator can ramp up), and
// receiver reports (every second).
#include <cstdint>
#include <memory>
#include <vector>

#include "rtp/Rtcp.h"
#include "sfu/MediaParticipant.h"
#include "sfu/MediaTypes.h"

namespace parley::sfu {

class PublisherFeedback {
 public:
  explicit PublisherFeedback(MediaCounters& counters) : counters_(counters) {
    scratchSeqs_.reserve(256);
    scratchBlocks_.reserve(31);
  }

  void tick(std::vector<std::unique_ptr<MediaParticipant>>& participants, std::int64_t nowMicros);

 private:
  void requestRetransmissions(MediaParticipant& publisher, std::int64_t now);
  void sendTransportFeedback(MediaParticipant& publisher);
  void sendReceiverReport(MediaParticipant& publisher, std::int64_t now);

  MediaCounters& counters_;
  std::int64_t lastNack_ = 0, lastFeedback_ = 0, lastReport_ = 0;
  std::vector<std::uint16_t> scratchSeqs_;  // reused, no allocation per tick
  std::vector<rtp::ReportBlock> scratchBlocks_;
};

}  // namespace parley::sfu
