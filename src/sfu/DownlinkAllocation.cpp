#include "sfu/DownlinkAllocation.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace parley::sfu {

namespace {

// The next flowing layer above `from` up to `wanted`, by bitrate; kNoLayer if none.
int nextLayer(const VideoDemand& d, int from) {
  int best = kNoLayer;
  const double floor = from == kNoLayer ? -1 : d.layerBps[static_cast<std::size_t>(from)];
  const double ceiling = d.layerBps[static_cast<std::size_t>(d.wanted)];
  for (int i = 0; i < static_cast<int>(d.layers); ++i) {
    const double bps = d.layerBps[static_cast<std::size_t>(i)];
    if (bps <= floor || bps > ceiling || (i != d.wanted && bps == 0)) continue;
    if (best == kNoLayer || bps < d.layerBps[static_cast<std::size_t>(best)]) best = i;
  }
  return best;
}

}  // namespace

void allocateDownlink(double budget, std::span<const VideoDemand> demands, std::span<int> out) {
  std::vector<std::size_t> order(demands.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return demands[a].priority < demands[b].priority; });
  // First every shown video its smallest layer (whatever the budget), then upgrades.
  for (std::size_t i : order) {
    const VideoDemand& d = demands[i];
    out[i] = d.wanted;
    if (d.wanted == kNoLayer) continue;
    const int smallest = nextLayer(d, kNoLayer);
    if (smallest == kNoLayer) continue;  // bitrates unknown yet: as displayed
    out[i] = smallest;
    budget -= d.layerBps[static_cast<std::size_t>(smallest)];
  }
  for (std::size_t i : order) {
    const VideoDemand& d = demands[i];
    if (d.wanted == kNoLayer || out[i] == kNoLayer || out[i] == d.wanted) continue;
    for (int next = nextLayer(d, out[i]); next != kNoLayer; next = nextLayer(d, out[i])) {
      const double extra = d.layerBps[static_cast<std::size_t>(next)] - d.layerBps[static_cast<std::size_t>(out[i])];
      if (extra > budget) break;
      budget -= extra;
      out[i] = next;
    }
  }
}

}  // namespace parley::sfu
