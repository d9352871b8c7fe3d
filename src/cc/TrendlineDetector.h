#pragma once
// The delay-based half of a Google Congestion Control style estimator
// (draft-ietf-rmcat-gcc-02, section 5): packets sent within 5 ms of each other form a group,
// and so do packets that arrive in a burst (within 5 ms of the group's last, sooner after it
// than they were sent: they waited together, in a receiver that was not scheduled or a
// buffer that was not read, and say nothing new about the path; section 5.2). The change in
// one-way delay from group to group is accumulated, smoothed, and its trend over the last
// groups fitted by least squares. A queue building on the path makes the trend
// rise above an adaptive threshold (overuse); a queue draining makes it fall below its
// negative (underuse). Pure arithmetic on what feedback reports; one per subscriber.
#include <array>
#include <cstddef>
#include <cstdint>

#include "cc/PacketResult.h"

namespace parley::cc {

enum class BandwidthUsage { Normal, Overusing, Underusing };

class TrendlineDetector {
 public:
  static constexpr std::int64_t kGroupMicros = 5000;
  static constexpr std::int64_t kBurstMicros = 5000, kMaxBurstMicros = 100000;
  static constexpr std::size_t kWindow = 20;  // groups in the trend's fit

  // Packets in the order they were sent, received ones only.
  void onPacket(const PacketResult& packet);
  BandwidthUsage usage() const { return usage_; }
  double trend() const { return modifiedTrend_; }
  double threshold() const { return threshold_; }

 private:
  struct Group {
    std::int64_t firstSend = 0, lastSend = 0, firstArrival = 0, lastArrival = 0;
    bool open = false;
  };
  bool inBurst(const PacketResult& packet) const;
  void closeGroup(const Group& next);
  void update(double delayDeltaMs, std::int64_t arrivalMicros);
  void detect(std::int64_t arrivalMicros);
  void adaptThreshold(double trend, std::int64_t arrivalMicros);

  Group current_, previous_;
  double accumulated_ = 0, smoothed_ = 0;
  std::int64_t firstArrival_ = -1;
  std::array<double, kWindow> x_{}, y_{};  // arrival ms since the first, smoothed delay ms
  std::size_t samples_ = 0, deltas_ = 0;
  double modifiedTrend_ = 0, previousTrend_ = 0;
  double threshold_ = 12.5;
  std::int64_t lastThresholdUpdate_ = -1;
  std::int64_t overuseSince_ = -1;
  int overuseCount_ = 0;
  BandwidthUsage usage_ = BandwidthUsage::Normal;
};

}  // namespace parley::cc
