#pragma once
// What RFC 3550 §6.4 asks a receiver to report about one incoming stream: loss, the highest
// sequence number, interarrival jitter, and the timing of the sender's last report.
#include <cstdint>

#include "rtp/Rtcp.h"

namespace parley::sfu {

class ReceiveStatistics {
 public:
  explicit ReceiveStatistics(std::uint32_t clockRate) : clockRate_(clockRate) {}

  void onPacket(std::uint16_t seq, std::uint32_t rtpTimestamp, std::int64_t arrivalMicros);
  void onSenderReport(const rtp::SenderInfo& info, std::int64_t arrivalMicros);
  // A report block for `ssrc`, and resets the interval counters (fraction lost).
  rtp::ReportBlock makeReportBlock(std::uint32_t ssrc, std::int64_t nowMicros);

  std::uint64_t packetsReceived() const { return received_; }
  bool hasSenderReport() const { return srArrival_ != 0; }
  // The sender's clock mapping from its last SR, for our own SRs to subscribers.
  const rtp::SenderInfo& lastSenderReport() const { return lastSr_; }
  std::int64_t lastSenderReportArrival() const { return srArrival_; }

 private:
  std::uint32_t clockRate_;
  bool started_ = false;
  std::uint16_t baseSeq_ = 0;
  std::uint16_t maxSeq_ = 0;
  std::uint32_t cycles_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t expectedPrior_ = 0;
  std::uint64_t receivedPrior_ = 0;
  double jitter_ = 0;
  std::int64_t lastTransit_ = 0;
  bool haveTransit_ = false;
  rtp::SenderInfo lastSr_;
  std::int64_t srArrival_ = 0;
};

}  // namespace parley::sfu
