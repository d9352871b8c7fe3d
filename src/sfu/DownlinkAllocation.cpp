#include "sfu/DownlinkAllocation.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

namespace parley::sfu {

namespace {

struct Option {
  LayerChoice choice;
  double bps = 0;
};
// Spatial layers times temporal layers.
using Options = std::array<Option, kMaxLayers * kMaxTemporalLayers>;

// Layer `s` is larger than layer `than` (LayerSelection's rule).
bool larger(const VideoDemand& d, std::size_t s, std::size_t than) {
  return smallerLayer(static_cast<int>(than), d.layerHeights[than], static_cast<int>(s), d.layerHeights[s]);
}

// The options of a shown video up to what it wants, worst and cheapest first; returns how
// many: the layers no larger than the wanted one and costing no more. (A smaller layer can cost more
// than a larger one: a publisher pads its lowest layer to probe its uplink, and
// a larger one offered "cheaper" would send a small tile more than it shows.) Only layers
// whose rate is measured can be priced: one not measured yet (it just started, or was just
// asked for again) is left out until it is, and if the wanted layer is that one, any
// measured layer no larger may stand in for it; none measured: nothing (then as displayed).
std::size_t optionsOf(const VideoDemand& d, Options& out) {
  const auto wanted = static_cast<std::size_t>(d.wanted);
  const double wantedBps = d.layerBps[wanted];
  const double ceiling = wantedBps > 0 ? wantedBps : std::numeric_limits<double>::infinity();
  std::size_t n = 0;
  for (std::size_t s = 0; s < d.layers && s < kMaxLayers; ++s) {
    const double whole = d.layerBps[s];
    if (whole <= 0 || whole > ceiling || larger(d, s, wanted)) continue;
    const std::size_t temporal = std::min<std::size_t>(d.temporalLayers[s], kMaxTemporalLayers);
    // Below the whole layer: its lower temporal layers, when it has them and they carry something.
    for (std::size_t t = 0; temporal > 1 && t + 1 < temporal; ++t) {
      if (d.temporalBps[s][t] > 0 && d.temporalBps[s][t] < whole) {
        out[n++] = {{static_cast<int>(s), static_cast<int>(t)}, d.temporalBps[s][t]};
      }
    }
    out[n++] = {{static_cast<int>(s), kAllTemporal}, whole};
  }
  // By quality: a larger layer is better, then more of its temporal layers. An option that
  // costs as much as a better one or more is never worth it (Chromium and Firefox pad
  // their smallest layer at times, which then costs more than the middle one): left out,
  // so that each step up the list is better and dearer, and an upgrade never lowers what
  // the tile shows.
  std::stable_sort(out.begin(), out.begin() + static_cast<long>(n), [&d](const Option& a, const Option& b) {
    const auto sa = static_cast<std::size_t>(a.choice.spatial), sb = static_cast<std::size_t>(b.choice.spatial);
    if (sa != sb) return larger(d, sb, sa);
    return a.choice.temporal < b.choice.temporal;
  });
  std::size_t kept = n;
  double cheapestBetter = std::numeric_limits<double>::infinity();
  for (std::size_t i = n; i-- > 0;) {
    if (out[i].bps >= cheapestBetter) continue;
    cheapestBetter = out[i].bps;
    out[--kept] = out[i];
  }
  std::move(out.begin() + static_cast<long>(kept), out.begin() + static_cast<long>(n), out.begin());
  return n - kept;
}

// What an option must fit in: more than its rate when it is above what the video gets now.
double costOf(const Option& option, double currentBps) {
  return option.bps > currentBps ? option.bps * kUpgradeHeadroom : option.bps;
}

// The rate of what the video gets now; a video that gets nothing yet has nothing to hold on
// to, so nothing counts as going up.
double currentBps(const Options& options, std::size_t count, const LayerChoice& current) {
  if (current.spatial == kNoLayer) return std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < count; ++i)
    if (options[i].choice == current) return options[i].bps;
  return 0;
}

}  // namespace

void allocateDownlink(double budget, std::span<const VideoDemand> demands, std::span<LayerChoice> out) {
  std::vector<std::size_t> order(demands.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return demands[a].priority < demands[b].priority; });
  std::vector<Options> options(demands.size());
  std::vector<std::size_t> counts(demands.size(), 0), taken(demands.size(), 0);
  // First every shown video its cheapest option (whatever the budget), then upgrades.
  for (std::size_t i : order) {
    const VideoDemand& d = demands[i];
    out[i] = {d.wanted, kAllTemporal};
    if (d.wanted == kNoLayer) continue;
    counts[i] = optionsOf(d, options[i]);
    if (counts[i] == 0) continue;  // bitrates unknown yet: as displayed
    out[i] = options[i][0].choice;
    budget -= options[i][0].bps;
  }
  for (std::size_t i : order) {
    const double now = currentBps(options[i], counts[i], demands[i].current);
    for (std::size_t next = taken[i] + 1; next < counts[i]; ++next) {
      if (costOf(options[i][next], now) - options[i][taken[i]].bps > budget) break;
      budget -= options[i][next].bps - options[i][taken[i]].bps;
      taken[i] = next;
      out[i] = options[i][next].choice;
    }
  }
}

}  // namespace parley::sfu
