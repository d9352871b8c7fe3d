#pragma once
// How fast we may send to one subscriber, from its transport-wide feedback: a send-side
// estimator in the spirit of Google Congestion Control (draft-ietf-rmcat-gcc-02).
// - Delay: TrendlineDetector says whether a queue builds (overuse), drains (underuse) or
//   neither; the rate then decreases to 85% of what the subscriber received (by half at
//   most each time), holds, or
//   increases (8% a second far from the last decrease, about a packet per round trip near it),
//   never above 1.5 times what it received plus a little (there is no point estimating far
//   above what was tried).
// - Loss: more than 10% lost over the last second (and at least 20 packets: feedback comes
//   every 50 to 100 ms, and a few packets reported missing in one may be reported received
//   in the next) lowers the rate in proportion; under 2% it may rise by 5%. The estimate is
//   the lower of the two.
// - Probes: a burst sent faster than the estimate (see sfu's prober) that arrives as fast
//   says the path carries at least that much; the estimate jumps to it.
// One per subscriber, on its worker's thread; bounded work per feedback packet.
#include <cstdint>
#include <span>

#include "cc/PacketResult.h"
#include "cc/TrendlineDetector.h"

namespace parley::cc {

class BandwidthEstimator {
 public:
  static constexpr double kMinBps = 50'000, kMaxBps = 50'000'000;
  static constexpr double kStartBps = 1'000'000;
  static constexpr std::int64_t kLossWindowMicros = 1000000;
  static constexpr std::uint32_t kLossMinPackets = 20;

  // The packets one feedback reports, in sending order.
  void onFeedback(std::span<const PacketResult> packets, std::int64_t nowMicros);
  // A probe cluster's packets went out and all came back: the rate they arrived at.
  void onProbeResult(double bps);

  double estimateBps() const { return estimate_; }
  double receivedBps() const { return received_; }  // what the subscriber received, lately
  double lossFraction() const { return loss_; }  // over the last loss window
  BandwidthUsage usage() const { return detector_.usage(); }
  // When the estimate last went down (queueing or loss), -1 if never: a path that just
  // pushed back is not probed for more.
  std::int64_t lastDecreaseMicros() const { return lastDecrease_; }

 private:
  void updateReceivedRate(std::span<const PacketResult> packets);
  void rateControl(std::int64_t nowMicros);
  void lossControl(std::span<const PacketResult> packets, std::int64_t nowMicros);

  TrendlineDetector detector_;
  double delayBased_ = kStartBps;
  double lossBased_ = kMaxBps;
  double estimate_ = kStartBps;
  double received_ = 0;
  double loss_ = 0;
  double rateAtLastDecrease_ = 0;
  std::int64_t lastUpdate_ = -1;
  std::int64_t lastDecrease_ = -1;
  // Packets reported, and of those lost, since the loss window began.
  std::int64_t lossWindowStart_ = -1;
  std::uint32_t windowReported_ = 0, windowLost_ = 0;
  // Received bytes over a sliding window of arrival time.
  std::int64_t windowStart_ = -1;
  std::uint64_t windowBytes_ = 0;
};

}  // namespace parley::cc
