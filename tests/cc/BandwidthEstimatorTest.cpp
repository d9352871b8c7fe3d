// The bandwidth estimator against a simulated path: packets sent at a rate through a
// bottleneck of a given capacity (a queue: each arrives when the previous one has drained),
// reported back as transport-wide feedback every 100 ms.
#include "cc/BandwidthEstimator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace parley::cc {

namespace {

constexpr std::uint32_t kPacketBytes = 1200;

class Path {
 public:
  explicit Path(double capacityBps, double lossEvery = 0) : capacity_(capacityBps), lossEvery_(lossEvery) {}
  void setCapacity(double bps) { capacity_ = bps; }

  // Sends at `rateBps` for `seconds`, feeding `estimator` every 100 ms (then calling `after`).
  void run(BandwidthEstimator& estimator, double rateBps, double seconds, const std::function<void()>& after = {}) {
    const auto interval = static_cast<std::int64_t>(kPacketBytes * 8 * 1e6 / rateBps);
    const std::int64_t end = now_ + static_cast<std::int64_t>(seconds * 1e6);
    std::vector<PacketResult> batch;
    std::int64_t nextFeedback = now_ + 100000;
    for (; now_ < end; now_ += interval) {
      const auto service = static_cast<std::int64_t>(kPacketBytes * 8 * 1e6 / capacity_);
      PacketResult packet{now_, -1, kPacketBytes};
      ++sent_;
      if (lossEvery_ == 0 || sent_ % static_cast<std::uint64_t>(lossEvery_) != 0) {
        lastArrival_ = std::max(now_ + 20000, lastArrival_ + service);
        packet.arrivalMicros = lastArrival_;
      }
      batch.push_back(packet);
      if (now_ >= nextFeedback) {
        estimator.onFeedback(batch, now_);
        batch.clear();
        nextFeedback += 100000;
        if (after) after();
      }
    }
  }

 private:
  double capacity_;
  double lossEvery_;
  std::int64_t now_ = 1'000'000;
  std::int64_t lastArrival_ = 0;
  std::uint64_t sent_ = 0;
};

}  // namespace

TEST(BandwidthEstimator, GrowsOnAnUncongestedPathButNotFarAboveWhatWasSent) {
  BandwidthEstimator estimator;
  Path path(10'000'000);
  path.run(estimator, 800'000, 10);
  EXPECT_EQ(estimator.usage(), BandwidthUsage::Normal);
  EXPECT_NEAR(estimator.receivedBps(), 800'000, 80'000);
  EXPECT_GT(estimator.estimateBps(), 1'000'000) << "more than was sent: room to grow";
  EXPECT_LE(estimator.estimateBps(), 1.5 * 880'000 + 10'000) << "but not beyond what was tried";
}

TEST(BandwidthEstimator, BacksOffBelowABottleneckWhenAQueueBuilds) {
  BandwidthEstimator estimator;
  Path path(10'000'000);
  path.run(estimator, 1'500'000, 3);
  const double before = estimator.estimateBps();
  EXPECT_GT(before, 1'100'000) << "grows from its start of 1 Mbit/s";
  // The subscriber's downlink falls to 400 kbit/s while we keep sending 1.5 Mbit/s.
  path.setCapacity(400'000);
  path.run(estimator, 1'500'000, 2);
  EXPECT_LT(estimator.estimateBps(), 400'000) << "below the bottleneck, so its queue drains";
  EXPECT_GT(estimator.estimateBps(), 200'000) << "near it: 85% of what got through";
  // Sending within the estimate, the queue drains and the estimate holds near the capacity.
  path.run(estimator, estimator.estimateBps() * 0.9, 5);
  EXPECT_LT(estimator.estimateBps(), 600'000);
}

TEST(BandwidthEstimator, BacksOffOnHeavyLossAndRecoversWhenItStops) {
  BandwidthEstimator estimator;
  Path lossy(10'000'000, 5);  // every fifth packet lost: 20%
  lossy.run(estimator, 1'000'000, 3);
  EXPECT_NEAR(estimator.lossFraction(), 0.2, 0.05);
  EXPECT_LT(estimator.estimateBps(), 900'000) << "20% loss lowers it";
  const double low = estimator.estimateBps();
  Path clean(10'000'000);
  clean.run(estimator, 1'000'000, 5);
  EXPECT_GT(estimator.estimateBps(), low) << "without loss it grows again";
}

TEST(BandwidthEstimator, AProbeThatGotThroughRaisesTheEstimate) {
  BandwidthEstimator estimator;
  Path path(10'000'000);
  path.run(estimator, 150'000, 3);
  const double capped = estimator.estimateBps();
  EXPECT_LT(capped, 1.1 * BandwidthEstimator::kStartBps) << "hardly any growth while only a small layer is sent";
  estimator.onProbeResult(2'000'000);
  EXPECT_DOUBLE_EQ(estimator.estimateBps(), 2'000'000);
  estimator.onProbeResult(100'000);
  EXPECT_DOUBLE_EQ(estimator.estimateBps(), 2'000'000) << "a slow probe lowers nothing";
  path.run(estimator, 150'000, 1);
  EXPECT_GE(estimator.estimateBps(), 2'000'000) << "feedback on the small layer does not undo what the probe found";
}

// A receiver that is not scheduled now and then (a loaded laptop, a CI machine): the packets
// of a 150 ms stall are timestamped as it catches up, a millisecond apart. No queue
// builds on the path, so the estimate must not fall (without the burst rule each stall read as a queue).
TEST(BandwidthEstimator, AReceiverThatStallsNowAndThenIsNotACongestedPath) {
  BandwidthEstimator estimator;
  constexpr std::int64_t kInterval = 9600;  // 1200-byte packets at 1 Mbit/s
  std::vector<PacketResult> batch;
  std::int64_t nextFeedback = 100000;
  for (std::int64_t send = 0; send < 10'000'000; send += kInterval) {
    std::int64_t arrival = send + 20000;
    const std::int64_t inSecond = arrival % 1'000'000;
    if (inSecond >= 500000 && inSecond < 650000) arrival = arrival - inSecond + 650000 + (inSecond - 500000) / 10;
    batch.push_back({send, arrival, kPacketBytes});
    if (send >= nextFeedback) {
      estimator.onFeedback(batch, send);
      batch.clear();
      nextFeedback += 100000;
    }
    ASSERT_NE(estimator.usage(), BandwidthUsage::Overusing) << "at " << send / 1000 << " ms";
  }
  EXPECT_GE(estimator.estimateBps(), 1'000'000);
}

// Packets reported missing in one feedback and received in the next (reordered on the way, or
// still in flight when the receiver wrote it): a few of a second's packets, not a loss rate.
TEST(BandwidthEstimator, AFewPacketsMissingFromOneFeedbackAreNotHeavyLoss) {
  BandwidthEstimator estimator;
  std::vector<PacketResult> batch;
  std::int64_t send = 0;
  double lowest = estimator.estimateBps();
  for (int feedback = 0; feedback < 50; ++feedback) {
    batch.clear();
    for (int i = 0; i < 10; ++i, send += 9600) {
      const bool late = feedback % 10 == 5 && i >= 6;  // 4 of 10 missing, once a second
      batch.push_back({send, late ? -1 : send + 20000, kPacketBytes});
    }
    estimator.onFeedback(batch, send);
    lowest = std::min(lowest, estimator.estimateBps());
  }
  EXPECT_LT(estimator.lossFraction(), 0.1);
  EXPECT_GE(lowest, 1'000'000) << "4% lost over each second lowers nothing";
}

// A subscriber receiving less than its path carries (its tiles small) when a queue shows:
// what got through says little about the path, so each reaction at most halves the estimate,
// and a queue that lasts still brings it down below the bottleneck.
TEST(BandwidthEstimator, ADecreaseAtMostHalvesTheEstimate) {
  BandwidthEstimator estimator;
  Path path(10'000'000);
  path.run(estimator, 1'000'000, 2);
  estimator.onProbeResult(4'000'000);
  path.setCapacity(250'000);
  double before = estimator.estimateBps();
  path.run(estimator, 300'000, 3, [&] {
    EXPECT_GE(estimator.estimateBps(), 0.5 * before - 1) << "from " << before;
    before = estimator.estimateBps();
  });
  EXPECT_LT(estimator.estimateBps(), 250'000) << "a lasting queue still takes it below the bottleneck";
}

TEST(TrendlineDetector, SeesAQueueBuildAndDrain) {
  TrendlineDetector detector;
  std::int64_t send = 0, arrival = 50000;
  // 50 groups 10 ms apart, each arriving 2 ms later than the last: a growing queue.
  for (int i = 0; i < 50; ++i, send += 10000, arrival += 12000) detector.onPacket({send, arrival, 1200});
  EXPECT_EQ(detector.usage(), BandwidthUsage::Overusing);
  for (int i = 0; i < 50; ++i, send += 10000, arrival += 7000) detector.onPacket({send, arrival, 1200});
  EXPECT_EQ(detector.usage(), BandwidthUsage::Underusing);
  for (int i = 0; i < 80; ++i, send += 10000, arrival += 10000) detector.onPacket({send, arrival, 1200});
  EXPECT_EQ(detector.usage(), BandwidthUsage::Normal);
}

}  // namespace parley::cc
