#include "cc/TrendlineDetector.h"

#include <algorithm>
#include <cmath>

namespace parley::cc {

namespace {
constexpr double kSmoothing = 0.9;
constexpr double kTrendGain = 4.0;
constexpr std::size_t kMaxDeltas = 60;
// How fast the threshold follows the trend (section 5.4): toward a smaller trend faster than
// toward a larger one, so a lasting queue still shows as overuse.
constexpr double kThresholdRise = 0.0087, kThresholdFall = 0.039;
constexpr double kMinThreshold = 6, kMaxThreshold = 600;
constexpr std::int64_t kOveruseMicros = 10000;
}  // namespace

void TrendlineDetector::onPacket(const PacketResult& packet) {
  if (!packet.received()) return;
  const Group alone{packet.sendMicros, packet.sendMicros, packet.arrivalMicros, packet.arrivalMicros, true};
  if (!current_.open) {
    current_ = alone;
    return;
  }
  if (packet.sendMicros < current_.firstSend) return;  // reordered before its group: ignored
  if (packet.sendMicros - current_.firstSend <= kGroupMicros || inBurst(packet)) {
    current_.lastSend = std::max(current_.lastSend, packet.sendMicros);
    current_.lastArrival = std::max(current_.lastArrival, packet.arrivalMicros);
    return;
  }
  closeGroup(alone);
}

bool TrendlineDetector::inBurst(const PacketResult& packet) const {
  const std::int64_t arrivalDelta = packet.arrivalMicros - current_.lastArrival;
  const std::int64_t sendDelta = packet.sendMicros - current_.lastSend;
  return arrivalDelta - sendDelta < 0 && arrivalDelta <= kBurstMicros &&
         packet.arrivalMicros - current_.firstArrival < kMaxBurstMicros;
}

void TrendlineDetector::closeGroup(const Group& next) {
  if (previous_.open) {
    const double sendDelta = static_cast<double>(current_.lastSend - previous_.lastSend) / 1000.0;
    const double arrivalDelta = static_cast<double>(current_.lastArrival - previous_.lastArrival) / 1000.0;
    // A group that arrived far out of order says nothing about queues.
    if (arrivalDelta >= 0 || -arrivalDelta < sendDelta) update(arrivalDelta - sendDelta, current_.lastArrival);
  }
  previous_ = current_;
  current_ = next;
}

void TrendlineDetector::update(double delayDeltaMs, std::int64_t arrivalMicros) {
  if (firstArrival_ < 0) firstArrival_ = arrivalMicros;
  deltas_ = std::min(deltas_ + 1, kMaxDeltas);
  accumulated_ += delayDeltaMs;
  smoothed_ = kSmoothing * smoothed_ + (1 - kSmoothing) * accumulated_;
  const std::size_t slot = samples_ % kWindow;
  x_[slot] = static_cast<double>(arrivalMicros - firstArrival_) / 1000.0;
  y_[slot] = smoothed_;
  ++samples_;
  if (samples_ >= kWindow) {
    double meanX = 0, meanY = 0;
    for (std::size_t i = 0; i < kWindow; ++i) {
      meanX += x_[i];
      meanY += y_[i];
    }
    meanX /= kWindow;
    meanY /= kWindow;
    double numerator = 0, denominator = 0;
    for (std::size_t i = 0; i < kWindow; ++i) {
      numerator += (x_[i] - meanX) * (y_[i] - meanY);
      denominator += (x_[i] - meanX) * (x_[i] - meanX);
    }
    const double slope = denominator > 0 ? numerator / denominator : 0;
    modifiedTrend_ = static_cast<double>(deltas_) * slope * kTrendGain;
  }
  detect(arrivalMicros);
}

void TrendlineDetector::detect(std::int64_t arrivalMicros) {
  const double trend = modifiedTrend_;
  if (trend > threshold_) {
    if (overuseSince_ < 0) overuseSince_ = arrivalMicros;
    ++overuseCount_;
    // Overuse when it lasts and is not already falling.
    if (arrivalMicros - overuseSince_ >= kOveruseMicros && overuseCount_ > 1 && trend >= previousTrend_) {
      usage_ = BandwidthUsage::Overusing;
      overuseSince_ = -1;
      overuseCount_ = 0;
    }
  } else if (trend < -threshold_) {
    overuseSince_ = -1;
    overuseCount_ = 0;
    usage_ = BandwidthUsage::Underusing;
  } else {
    overuseSince_ = -1;
    overuseCount_ = 0;
    usage_ = BandwidthUsage::Normal;
  }
  previousTrend_ = trend;
  adaptThreshold(trend, arrivalMicros);
}

void TrendlineDetector::adaptThreshold(double trend, std::int64_t arrivalMicros) {
  if (lastThresholdUpdate_ < 0) lastThresholdUpdate_ = arrivalMicros;
  const double magnitude = std::fabs(trend);
  // A spike far above the threshold (a route change, a burst) must not drag it up.
  if (magnitude > threshold_ + 15) {
    lastThresholdUpdate_ = arrivalMicros;
    return;
  }
  const double k = magnitude < threshold_ ? kThresholdFall : kThresholdRise;
  const double elapsedMs = std::min<double>(100, static_cast<double>(arrivalMicros - lastThresholdUpdate_) / 1000.0);
  threshold_ = std::clamp(threshold_ + k * (magnitude - threshold_) * elapsedMs, kMinThreshold, kMaxThreshold);
  lastThresholdUpdate_ = arrivalMicros;
}

}  // namespace parley::cc
