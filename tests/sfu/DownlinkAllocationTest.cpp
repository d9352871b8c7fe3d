// Sharing one subscriber's estimated downlink among the videos it receives.
#include "sfu/DownlinkAllocation.h"

#include <gtest/gtest.h>

#include <vector>

namespace parley::sfu {

namespace {
// A simulcast camera: 150 kbit/s, 500 kbit/s and 1.5 Mbit/s layers, all flowing.
VideoDemand camera(int priority, int wanted) { return {priority, wanted, {150e3, 500e3, 1500e3}, 3}; }

// The spatial layer each gets (these cameras have no temporal layers).
std::vector<int> allocate(double budget, const std::vector<VideoDemand>& demands) {
  std::vector<LayerChoice> choices(demands.size(), LayerChoice{-2, -2});
  allocateDownlink(budget, demands, choices);
  std::vector<int> out;
  for (const auto& c : choices) {
    EXPECT_EQ(c.temporal, kAllTemporal);
    out.push_back(c.spatial);
  }
  return out;
}

// The same camera in L1T3: TID 0 carries 60% of each layer's bitrate, TIDs 0-1 80%.
VideoDemand temporalCamera(int priority, int wanted) {
  VideoDemand d = camera(priority, wanted);
  for (std::size_t s = 0; s < 3; ++s) {
    d.temporalLayers[s] = 3;
    d.temporalBps[s] = {0.6 * d.layerBps[s], 0.8 * d.layerBps[s], d.layerBps[s]};
  }
  return d;
}

LayerChoice allocateOne(double budget, const VideoDemand& demand) {
  std::vector<LayerChoice> out(1);
  allocateDownlink(budget, std::vector<VideoDemand>{demand}, out);
  return out[0];
}
}  // namespace

TEST(DownlinkAllocation, GivesEveryoneTheSmallestLayerThenUpgradesByPriority) {
  // Plenty: each gets what it shows.
  EXPECT_EQ(allocate(10e6, {camera(2, 2), camera(3, 1)}), (std::vector<int>{2, 1}));
  // 400 kbit/s: both smallest layers (300k), not enough to upgrade anyone.
  EXPECT_EQ(allocate(400e3, {camera(2, 2), camera(3, 2)}), (std::vector<int>{0, 0}));
  // 800 kbit/s: the first in priority climbs to 500k (650k in all); the other stays small.
  EXPECT_EQ(allocate(800e3, {camera(3, 2), camera(1, 2)}), (std::vector<int>{0, 1}));
  // 1.9 Mbit/s: the priority one gets its 1.5 Mbit/s layer first; what is left (250k) does
  // not lift the other; at 2 Mbit/s it does.
  EXPECT_EQ(allocate(1.9e6, {camera(3, 2), camera(1, 2)}), (std::vector<int>{0, 2}));
  EXPECT_EQ(allocate(2e6, {camera(3, 2), camera(1, 2)}), (std::vector<int>{1, 2}));
}

// Firefox pads its smallest layer (to probe its uplink) while its others are off, and that
// layer then costs more than the middle one: a small tile still gets the smallest layer, never
// the larger one that happens to be cheaper (found by firefox.netns.test.mjs).
TEST(DownlinkAllocation, NeverGivesALargerLayerBecauseItIsCheaper) {
  VideoDemand small{2, 0, {600e3, 300e3, 0}, 3};
  small.layerHeights = {180, 360, 720};
  EXPECT_EQ(allocate(10e6, {small}), (std::vector<int>{0}));
  EXPECT_EQ(allocate(100e3, {small}), (std::vector<int>{0}));  // the cheapest that fits the tile
  // Heights unknown: offer order stands for size.
  VideoDemand unknown{2, 0, {600e3, 300e3, 0}, 3};
  EXPECT_EQ(allocate(10e6, {unknown}), (std::vector<int>{0}));
  // Offered largest first, with heights known: the 180-pixel layer is the smallest.
  VideoDemand reversed{2, 2, {0, 300e3, 600e3}, 3};
  reversed.layerHeights = {720, 360, 180};
  EXPECT_EQ(allocate(10e6, {reversed}), (std::vector<int>{2}));
  // Wanting the largest, with a budget for the middle one only: the middle one, never the
  // smallest that costs more (an "upgrade" from the middle one to it would lower the picture).
  VideoDemand large{2, 2, {600e3, 300e3, 1500e3}, 3};
  large.layerHeights = {180, 360, 720};
  EXPECT_EQ(allocate(1000e3, {large}), (std::vector<int>{1}));
  EXPECT_EQ(allocate(10e6, {large}), (std::vector<int>{2}));
  // Wanting the middle layer, when the smallest costs more: the middle one.
  VideoDemand middle{2, 1, {600e3, 300e3, 1500e3}, 3};
  middle.layerHeights = {180, 360, 720};
  EXPECT_EQ(allocate(10e6, {middle}), (std::vector<int>{1}));
}

TEST(DownlinkAllocation, NeverStarvesAShownVideoNorSendsAHiddenOne) {
  EXPECT_EQ(allocate(10e3, {camera(2, 2), camera(3, 0)}), (std::vector<int>{0, 0}))
      << "below every layer: still the smallest, which keeps feedback coming";
  EXPECT_EQ(allocate(10e6, {camera(2, kNoLayer)}), (std::vector<int>{kNoLayer}));
  // Bitrates not measured yet: as displayed.
  EXPECT_EQ(allocate(100e3, {VideoDemand{2, 1, {0, 0, 0}, 3}}), (std::vector<int>{1}));
  // A layer that stopped (bitrate 0) is skipped on the way up.
  EXPECT_EQ(allocate(10e6, {VideoDemand{2, 2, {150e3, 0, 1500e3}, 3}}), (std::vector<int>{2}));
  EXPECT_EQ(allocate(1e6, {VideoDemand{2, 2, {150e3, 0, 1500e3}, 3}}), (std::vector<int>{0}));
  // The wanted layer just started again (not measured yet): it costs nothing it could be
  // given for, so the measured ones stand in until it is measured.
  EXPECT_EQ(allocate(400e3, {VideoDemand{2, 2, {150e3, 500e3, 0}, 3}}), (std::vector<int>{0}));
  EXPECT_EQ(allocate(10e6, {VideoDemand{2, 2, {150e3, 500e3, 0}, 3}}), (std::vector<int>{1}));
}

TEST(DownlinkAllocation, GivesUpFrameRateBeforeResolution) {
  EXPECT_EQ(allocateOne(10e6, temporalCamera(2, 2)), (LayerChoice{2, kAllTemporal}));
  // 1 Mbit/s: 640x360 at 10 fps (TID 0: 900k) rather than 320x180 at 30 (500k).
  EXPECT_EQ(allocateOne(1e6, temporalCamera(2, 2)), (LayerChoice{2, 0}));
  EXPECT_EQ(allocateOne(1.25e6, temporalCamera(2, 2)), (LayerChoice{2, 1}));
  EXPECT_EQ(allocateOne(450e3, temporalCamera(2, 2)), (LayerChoice{1, 1}));
  // Below everything: the cheapest option (the smallest layer's TID 0), never nothing.
  EXPECT_EQ(allocateOne(10e3, temporalCamera(2, 2)), (LayerChoice{0, 0}));
  // Never above what the tile shows, whatever the budget.
  EXPECT_EQ(allocateOne(10e6, temporalCamera(2, 1)), (LayerChoice{1, kAllTemporal}));
  EXPECT_EQ(allocateOne(350e3, temporalCamera(2, 1)), (LayerChoice{1, 0}));
}

TEST(DownlinkAllocation, GoesUpOnlyWithHeadroomButStaysWithout) {
  VideoDemand sending = camera(2, 2);
  sending.current = {1, kAllTemporal};  // the 500 kbit/s layer now
  // 1.6 Mbit/s pays for the 1.5 Mbit/s layer, not with a quarter to spare: stay.
  EXPECT_EQ(allocateOne(1.6e6, sending), (LayerChoice{1, kAllTemporal}));
  EXPECT_EQ(allocateOne(1.9e6, sending), (LayerChoice{2, kAllTemporal}));
  // Already on it, 1.6 Mbit/s keeps it; under 1.5 it goes down at once.
  sending.current = {2, kAllTemporal};
  EXPECT_EQ(allocateOne(1.6e6, sending), (LayerChoice{2, kAllTemporal}));
  EXPECT_EQ(allocateOne(1.4e6, sending), (LayerChoice{1, kAllTemporal}));
}

}  // namespace parley::sfu
