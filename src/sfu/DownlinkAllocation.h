#pragma once
// How one subscriber's estimated downlink is shared among the videos it receives: audio is
// never touched; the videos, in order of priority (a screen share, then the active speaker,
// then the others by displayed size), each get their cheapest option first, then, in the
// same order, the dearest option up to what they show that the rest of the budget pays for.
// An option is a spatial layer up to one of its temporal layers (VP8 L1T3: TID 0 alone is a
// third of the frame rate at about half the bitrate): options go by bitrate, so frame rate
// is given up before resolution (a 640x360 video at 10 fps before a 320x180 one at 30).
// A video shown never gets nothing for lack of bandwidth: its cheapest option keeps
// feedback (and so the estimate) alive. Going up costs more than staying: an option dearer
// than what the video gets now must fit with kUpgradeHeadroom to spare (a switch starts
// with a key frame, and an estimate just above a layer's rate flaps), so a subscriber near a
// threshold does not go up and down every pass. Pure: the rule is tested on its own.
#include <array>
#include <cstdint>
#include <span>

#include "sfu/LayerSelection.h"
#include "sfu/ProducerLayer.h"

namespace parley::sfu {

// Every temporal layer: no frame left out.
inline constexpr int kAllTemporal = 255;
inline constexpr double kUpgradeHeadroom = 1.25;

struct LayerChoice {
  int spatial = kNoLayer;
  int temporal = kAllTemporal;  // the highest TID sent
  bool operator==(const LayerChoice&) const = default;
};

struct VideoDemand {
  int priority = 0;      // lower first
  int wanted = kNoLayer;  // what its display asks for (LayerSelection); kNoLayer: not shown
  std::array<double, kMaxLayers> layerBps{};  // each layer's bitrate, 0 if it does not flow
  std::size_t layers = 0;
  // Per spatial layer: its temporal layers (0 or 1: none) and the bitrate up to each.
  std::array<std::uint8_t, kMaxLayers> temporalLayers{};
  std::array<std::array<double, kMaxTemporalLayers>, kMaxLayers> temporalBps{};
  // What it gets now (the layer being sent or switched to); spatial kNoLayer: nothing yet.
  LayerChoice current{kNoLayer, kAllTemporal};
  // Each layer's height (0: unknown; then layers are taken smallest first in offer order).
  std::array<std::uint16_t, kMaxLayers> layerHeights{};
};

// What each video gets (`out[i]` for `demands[i]`): at most its wanted layer.
void allocateDownlink(double budgetBps, std::span<const VideoDemand> demands, std::span<LayerChoice> out);

}  // namespace parley::sfu
