// When probes go out, how often after ones that found nothing, and what a reported cluster says.
#include "cc/ProbeCluster.h"

#include <gtest/gtest.h>

namespace parley::cc {

namespace {
constexpr std::int64_t kSecond = 1'000'000;

// Reports every packet of the current cluster: `arrived` of them, 1 ms apart, 255 bytes each.
std::optional<double> report(ProbeCluster& probe, std::int8_t id, int arrived, std::int64_t start) {
  std::optional<double> rate;
  for (int i = 0; i < ProbeCluster::kPackets; ++i) {
    rate = probe.onReported(id, 255, i < arrived ? start + i * 1000 : -1);
  }
  return rate;
}
}  // namespace

TEST(ProbeCluster, ProbesOnlyALimitedPathAndNotRightAfterItPushedBack) {
  ProbeCluster probe;
  const std::int64_t t = 100 * kSecond;
  EXPECT_FALSE(probe.due(t, false, -1)) << "nothing held back: no probe";
  EXPECT_TRUE(probe.due(t, true, -1));
  EXPECT_FALSE(probe.due(t, true, t - 2 * kSecond)) << "within 5 s of a decrease";
  EXPECT_TRUE(probe.due(t, true, t - 6 * kSecond));
  probe.start(1e6, t);
  EXPECT_FALSE(probe.due(t + kSecond, true, -1)) << "one cluster at a time";
}

TEST(ProbeCluster, MeasuresWhatArrivedAndBacksOffToOnceEvery8Seconds) {
  ProbeCluster probe;
  std::int64_t t = 100 * kSecond;
  // 29 packets' bytes over 29 ms after the first: about 2 Mbit/s, capped at the target.
  auto id = probe.start(1.5e6, t);
  EXPECT_NEAR(*report(probe, id, 30, t), 1.5e6, 1);
  id = probe.start(5e6, t);
  EXPECT_NEAR(*report(probe, id, 30, t), 29 * 255 * 8e6 / 29000, 1);
  id = probe.start(5e6, t);
  EXPECT_EQ(*report(probe, id, 20, t), 0.0) << "most of the burst lost: the path carries no more";

  // Found nothing more: the next probe waits 4 s, then 8 s, and never longer.
  std::vector<std::int64_t> waits;
  for (int i = 0; i < 4; ++i) {
    probe.found(0, 1e6);
    std::int64_t wait = 0;
    while (!probe.due(t + wait, true, -1)) wait += 100'000;
    waits.push_back(wait / 100'000);
    t += wait;
    report(probe, probe.start(2e6, t), 30, t);
  }
  EXPECT_EQ(waits, (std::vector<std::int64_t>{40, 80, 80, 80}));
  probe.found(3e6, 1e6);
  EXPECT_FALSE(probe.due(t + kSecond, true, -1));
  EXPECT_TRUE(probe.due(t + 2 * kSecond, true, -1)) << "found more: every 2 s again";
}

}  // namespace parley::cc
