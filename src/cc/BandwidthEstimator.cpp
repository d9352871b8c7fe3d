#include "cc/BandwidthEstimator.h"

#include <algorithm>
#include <cmath>

namespace parley::cc {

namespace {
constexpr std::int64_t kRateWindowMicros = 500000;
constexpr double kDecreaseFactor = 0.85;
constexpr double kIncreasePerSecond = 0.08;
constexpr double kPacketBits = 1200 * 8;
constexpr double kRoundTripSeconds = 0.1;  // until measured: the additive step's pace
}  // namespace

void BandwidthEstimator::onFeedback(std::span<const PacketResult> packets, std::int64_t now) {
  if (packets.empty()) return;
  for (const auto& packet : packets) detector_.onPacket(packet);
  updateReceivedRate(packets);
  rateControl(now);
  lossControl(packets, now);
  estimate_ = std::clamp(std::min(delayBased_, lossBased_), kMinBps, kMaxBps);
}

void BandwidthEstimator::onProbeResult(double bps) {
  if (bps <= estimate_) return;
  delayBased_ = std::max(delayBased_, bps);
  lossBased_ = std::max(lossBased_, bps);
  estimate_ = std::clamp(std::min(delayBased_, lossBased_), kMinBps, kMaxBps);
}

void BandwidthEstimator::updateReceivedRate(std::span<const PacketResult> packets) {
  for (const auto& packet : packets) {
    if (!packet.received()) continue;
    if (windowStart_ < 0) windowStart_ = packet.arrivalMicros;
    const std::int64_t span = packet.arrivalMicros - windowStart_;
    if (span >= kRateWindowMicros) {
      received_ = static_cast<double>(windowBytes_) * 8 * 1e6 / static_cast<double>(span);
      windowStart_ = packet.arrivalMicros;
      windowBytes_ = 0;
    }
    windowBytes_ += packet.bytes;
  }
}

void BandwidthEstimator::rateControl(std::int64_t now) {
  const double seconds = lastUpdate_ < 0 ? 0 : std::min(1.0, static_cast<double>(now - lastUpdate_) / 1e6);
  lastUpdate_ = now;
  switch (detector_.usage()) {
    case BandwidthUsage::Overusing:
      // Below what got through: the queue drains. At most half at a time: what got through
      // may be what there was to send (a publisher's encoder paused, a tile on a small
      // layer), not what the path carries, and one late burst then took an estimate of
      // 4.7 Mbit/s to 272 kbit/s. A real queue keeps showing, and halves it again.
      if (received_ > 0) {
        delayBased_ = std::max(0.5 * delayBased_, std::min(delayBased_, kDecreaseFactor * received_));
        rateAtLastDecrease_ = delayBased_;
        lastDecrease_ = now;
      }
      return;
    case BandwidthUsage::Underusing:
      return;  // hold: the queue drains by itself
    case BandwidthUsage::Normal:
      break;
  }
  // Near the rate of the last decrease, probe carefully; far from it, multiplicatively.
  const bool near = rateAtLastDecrease_ > 0 && std::fabs(delayBased_ - rateAtLastDecrease_) < 0.3 * rateAtLastDecrease_;
  const double step = near ? kPacketBits * seconds / kRoundTripSeconds : delayBased_ * kIncreasePerSecond * seconds;
  // Growth stops at half as much again as got through (a rate nobody tried is a guess); a
  // rate already above that (a probe found it) is kept.
  const double limit = received_ > 0 ? 1.5 * received_ + 10'000 : kMaxBps;
  if (delayBased_ < limit) delayBased_ = std::min(delayBased_ + step, limit);
}

void BandwidthEstimator::lossControl(std::span<const PacketResult> packets, std::int64_t now) {
  if (lossWindowStart_ < 0) lossWindowStart_ = now;
  for (const auto& packet : packets) windowLost_ += packet.received() ? 0 : 1;
  windowReported_ += static_cast<std::uint32_t>(packets.size());
  if (now - lossWindowStart_ < kLossWindowMicros || windowReported_ < kLossMinPackets) return;
  loss_ = static_cast<double>(windowLost_) / static_cast<double>(windowReported_);
  lossWindowStart_ = now;
  windowReported_ = windowLost_ = 0;
  if (loss_ > 0.10) {
    lossBased_ = std::max(kMinBps, std::min(lossBased_, estimate_) * (1 - 0.5 * loss_));
    lastDecrease_ = now;
  } else if (loss_ < 0.02) {
    lossBased_ = std::max(lossBased_, std::min(estimate_ * 1.05, kMaxBps));
  }
}

}  // namespace parley::cc
