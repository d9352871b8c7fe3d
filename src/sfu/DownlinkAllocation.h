#pragma once
// How one subscriber's estimated downlink is shared among the videos it receives: audio is
// never touched; the videos, in order of priority (a screen share, then the active speaker,
// then the others by displayed size), each get their smallest flowing layer first, then, in
// the same order, the largest layer up to what they show that the rest of the budget pays
// for. A video shown never gets nothing for lack of bandwidth: its smallest layer keeps
// feedback (and so the estimate) alive. Pure: the rule is tested on its own.
#include <array>
#include <cstdint>
#include <span>

#include "sfu/LayerSelection.h"
#include "sfu/ProducerLayer.h"

namespace parley::sfu {

struct VideoDemand {
  int priority = 0;      // lower first
  int wanted = kNoLayer;  // what its display asks for (LayerSelection); kNoLayer: not shown
  std::array<double, kMaxLayers> layerBps{};  // each layer's bitrate, 0 if it does not flow
  std::size_t layers = 0;
};

// The layer each video gets (`out[i]` for `demands[i]`): at most its wanted one.
void allocateDownlink(double budgetBps, std::span<const VideoDemand> demands, std::span<int> out);

}  // namespace parley::sfu
