#include "QualityReport.h"

#include <algorithm>
#include <cstdio>

namespace parley::bench {

namespace {

struct Spread {
  double median = 0, max = 0;
};

Spread spread(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values.back()};
}

nlohmann::json toJson(const Spread& s) { return {{"median", s.median}, {"max", s.max}}; }

}  // namespace

nlohmann::json qualityReport(const std::vector<LoadParticipant*>& group, double seconds, double streams) {
  std::vector<double> fps, freezeMs, settleS, toSmallestS;
  std::uint64_t expected = 0, lost = 0, capPackets = 0, capDrops = 0;
  std::array<double, 3> layerBytes{};
  for (const auto* p : group) {
    const ReceiveQuality& q = p->quality();
    fps.push_back(static_cast<double>(q.framesDecoded) / seconds / std::max(streams, 1.0));
    freezeMs.push_back(static_cast<double>(q.longestFreezeMicros) / 1000);
    expected += q.expected;
    lost += q.lost;
    capPackets += q.bottleneckPackets;
    capDrops += q.bottleneckDrops;
    for (std::size_t l = 0; l < 3; ++l) layerBytes[l] += static_cast<double>(q.layerBytes[l]);
    if (q.cappedAtMicros >= 0) {
      // Settled: the cap's last drop (none: at once).
      settleS.push_back(q.lastDropMicros >= q.cappedAtMicros ? (q.lastDropMicros - q.cappedAtMicros) / 1e6 : 0.0);
      if (q.firstSmallestMicros >= 0) toSmallestS.push_back((q.firstSmallestMicros - q.cappedAtMicros) / 1e6);
    }
  }
  const double allBytes = layerBytes[0] + layerBytes[1] + layerBytes[2];
  nlohmann::json shares = nlohmann::json::array();
  for (double b : layerBytes) shares.push_back(allBytes > 0 ? b / allBytes : 0.0);
  nlohmann::json report = {
      {"subscribers", group.size()},
      {"frames_per_second", toJson(spread(fps))},
      {"longest_freeze_ms", toJson(spread(freezeMs))},
      {"loss_pct", expected ? 100.0 * static_cast<double>(lost) / static_cast<double>(expected) : 0.0},
      {"layer_byte_shares", shares},
  };
  if (!settleS.empty()) {
    report["cap_drop_pct"] = capPackets ? 100.0 * static_cast<double>(capDrops) / static_cast<double>(capPackets) : 0.0;
    report["settle_s"] = toJson(spread(settleS));
    report["to_smallest_layer_s"] = toJson(spread(toSmallestS));
    report["reached_smallest_layer"] = toSmallestS.size();
  }
  return report;
}

void printQuality(const nlohmann::json& r) {
  const auto& kbps = r["layers_kbps"];
  std::printf("layers sent per publisher:");
  for (const auto& k : kbps) std::printf(" %.0f", k.get<double>());
  std::printf(" kbit/s\n");
  if (r["simulcast"].get<bool>()) {
    std::printf("every receiver on the largest layer after %.1f s (%d of %d)\n", r["climb_to_largest_s"].get<double>(),
                r["receivers_on_largest_before_cap"].get<int>(),
                r["uncapped"]["subscribers"].get<int>() + r["capped"]["subscribers"].get<int>());
  }
  for (const char* group : {"uncapped", "capped"}) {
    const auto& q = r[group];
    if (q["subscribers"].get<int>() == 0) continue;
    const auto& shares = q["layer_byte_shares"];
    std::printf("%s (%d): %.1f frames/s per stream (median), longest freeze %.0f ms median, %.0f ms max; "
                "loss %.3f%%; bytes by layer %.0f/%.0f/%.0f%%\n",
                group, q["subscribers"].get<int>(), q["frames_per_second"]["median"].get<double>(),
                q["longest_freeze_ms"]["median"].get<double>(), q["longest_freeze_ms"]["max"].get<double>(),
                q["loss_pct"].get<double>(), 100 * shares[0].get<double>(), 100 * shares[1].get<double>(),
                100 * shares[2].get<double>());
    if (q.contains("settle_s")) {
      std::printf("  capped at %.0f kbit/s: %.2f%% dropped by the cap; last drop %.2f s median, %.2f s max after the cap",
                  r["cap_kbps"].get<double>(), q["cap_drop_pct"].get<double>(), q["settle_s"]["median"].get<double>(),
                  q["settle_s"]["max"].get<double>());
      if (r["simulcast"].get<bool>()) {
        std::printf("; on the smallest layer after %.2f s median (%.2f max, %d of %d)",
                    q["to_smallest_layer_s"]["median"].get<double>(), q["to_smallest_layer_s"]["max"].get<double>(),
                    q["reached_smallest_layer"].get<int>(), q["subscribers"].get<int>());
      }
      std::printf("\n");
    }
  }
}

}  // namespace parley::bench
