#include "transcribe/SpeakerClustering.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

#include "transcribe/GaussianStats.h"

namespace parley::transcribe {

namespace {

// The clusters the segments start as: each segment long enough to estimate a Gaussian.
struct InitialClusters {
  std::vector<GaussianStats> stats;
  std::vector<std::size_t> segment;  // the segment each cluster started from
};

InitialClusters initialClusters(const std::vector<SpeakerSegment>& segments, std::span<const MfccFrame> features,
                                std::size_t minFrames) {
  InitialClusters initial;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    if (segments[s].end - segments[s].begin < minFrames) continue;
    GaussianStats st;
    for (std::size_t t = segments[s].begin; t < segments[s].end; ++t) st.add(features[t]);
    initial.stats.push_back(st);
    initial.segment.push_back(s);
  }
  return initial;
}

// Merges the cheapest pair until `target` clusters are left, remembering each merge.
std::vector<ClusterMerge> mergeDownTo(std::vector<GaussianStats> clusters, std::size_t target, double penalty) {
  // ΔBIC of each pair i < j, the upper triangle only (two hours make 2,400 segments).
  const std::size_t m = clusters.size();
  std::vector<double> costs(m * (m - 1) / 2 + 1, 0);
  const auto cost = [&](std::size_t i, std::size_t j) -> double& { return costs[i * (2 * m - i - 1) / 2 + (j - i - 1)]; };
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = i + 1; j < m; ++j) cost(i, j) = bic(clusters[i], clusters[j], penalty);
  std::vector<bool> alive(m, true);
  std::vector<ClusterMerge> merges;
  for (std::size_t count = m; count > target; --count) {
    double best = std::numeric_limits<double>::infinity();
    std::size_t bi = 0, bj = 0;
    for (std::size_t i = 0; i < m; ++i) {
      if (!alive[i]) continue;
      for (std::size_t j = i + 1; j < m; ++j) {
        if (alive[j] && cost(i, j) < best) {
          best = cost(i, j);
          bi = i;
          bj = j;
        }
      }
    }
    // Per frame, so the cost of joining big clusters late does not dwarf everything.
    merges.push_back({bi, bj, best / (clusters[bi].n + clusters[bj].n)});
    clusters[bi].merge(clusters[bj]);
    alive[bj] = false;
    for (std::size_t k = 0; k < m; ++k) {
      if (!alive[k] || k == bi) continue;
      cost(std::min(k, bi), std::max(k, bi)) = bic(clusters[std::min(k, bi)], clusters[std::max(k, bi)], penalty);
    }
  }
  return merges;
}

// Replays the first merges, those that leave `keep` clusters, on a union-find: the label of
// each initial cluster (0, 1, ... in order of the clusters' first segment).
std::vector<int> labelsAfterMerges(const std::vector<ClusterMerge>& merges, std::size_t initial, std::size_t keep) {
  std::vector<std::size_t> parent(initial);
  std::iota(parent.begin(), parent.end(), 0);
  const auto rootOf = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::size_t m = 0; m + keep < initial && m < merges.size(); ++m) {
    parent[rootOf(merges[m].from)] = rootOf(merges[m].into);
  }
  std::map<std::size_t, int> labelOfRoot;
  std::vector<int> label(initial);
  for (std::size_t i = 0; i < initial; ++i) {
    const std::size_t root = rootOf(i);
    if (!labelOfRoot.count(root)) labelOfRoot[root] = static_cast<int>(labelOfRoot.size());
    label[i] = labelOfRoot[root];
  }
  return label;
}

// A cluster with little speech is more often a piece of a speaker (a different mood, a
// cough, a noisy stretch) than a speaker of its own: below the smaller of a share of all
// the speech and a few seconds, it joins the cluster that costs least to join.
void absorbSmallClusters(std::vector<SpeakerSegment>& segments, std::span<const MfccFrame> features,
                         std::size_t labels, const DiarizationSettings& settings) {
  for (;;) {
    std::vector<GaussianStats> stats(labels);
    double total = 0;
    for (const auto& seg : segments) {
      if (seg.cluster < 0) continue;
      for (std::size_t t = seg.begin; t < seg.end; ++t) stats[static_cast<std::size_t>(seg.cluster)].add(features[t]);
      total += static_cast<double>(seg.end - seg.begin);
    }
    const double threshold = std::min<double>(settings.minSpeakerFrames, settings.minSpeakerShare * total);
    std::size_t smallest = labels;
    for (std::size_t l = 0; l < labels; ++l) {
      if (stats[l].n > 0 && stats[l].n < threshold && (smallest == labels || stats[l].n < stats[smallest].n)) smallest = l;
    }
    std::size_t alive = 0;
    for (const auto& st : stats) alive += st.n > 0;
    if (smallest == labels || alive < 2) return;
    std::size_t into = labels;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t l = 0; l < labels; ++l) {
      if (l == smallest || stats[l].n == 0) continue;
      const double cost = bic(stats[l], stats[smallest], settings.clusterPenalty);
      if (cost < best) {
        best = cost;
        into = l;
      }
    }
    for (auto& seg : segments) {
      if (seg.cluster == static_cast<int>(smallest)) seg.cluster = static_cast<int>(into);
    }
  }
}

}  // namespace

std::size_t chooseSpeakerCount(const std::vector<ClusterMerge>& merges, std::size_t initial,
                               const DiarizationSettings& settings) {
  // The count where merging further costs a sudden jump in ΔBIC: joining two real speakers
  // costs far more than joining two pieces of one. A final merge that ΔBIC clearly favours
  // means one speaker; near zero, the cross-likelihood test after resegmentation decides
  // (with a few seconds per cluster, full-covariance ΔBIC favours merging even different
  // voices).
  const auto costOf = [&](std::size_t clustersBefore) { return merges[initial - clustersBefore].costPerFrame; };
  std::size_t keep = initial >= 2 && costOf(2) > settings.oneSpeakerBelow && settings.mergeThreshold < 1e9 ? 2 : 1;
  if (initial < 2 || costOf(2) <= 0) return keep;
  const std::size_t maxK = std::min<std::size_t>(initial, static_cast<std::size_t>(settings.maxSpeakers));
  std::vector<double> jumps(maxK + 1, 0);
  double largest = 0;
  for (std::size_t k = 2; k <= maxK; ++k) {
    const double previous = k + 1 <= initial ? costOf(k + 1) : costOf(k);
    jumps[k] = costOf(k) - std::max(0.0, previous);
    largest = std::max(largest, jumps[k]);
  }
  // Merge costs grow as clusters grow, so the last jumps are the tallest: keep the most
  // speakers whose jump is still a good fraction of the tallest.
  for (std::size_t k = maxK; k >= 2; --k) {
    if (jumps[k] >= settings.jumpFraction * largest) return k;
  }
  return keep;
}

void clusterSegments(std::vector<SpeakerSegment>& segments, std::span<const MfccFrame> features,
                     std::optional<int> speakers, const DiarizationSettings& settings) {
  const InitialClusters initial =
      initialClusters(segments, features, static_cast<std::size_t>(settings.minClusterFrames));
  if (initial.stats.empty()) {
    // Only short bursts: one speaker.
    for (auto& seg : segments) seg.cluster = 0;
    return;
  }
  const std::size_t count = initial.stats.size();
  const std::size_t target = speakers ? static_cast<std::size_t>(std::max(1, *speakers)) : 1;
  const auto merges = mergeDownTo(initial.stats, target, settings.clusterPenalty);
  const std::size_t keep = speakers ? target : chooseSpeakerCount(merges, count, settings);
  const auto label = labelsAfterMerges(merges, count, keep);
  int labels = 0;
  for (std::size_t i = 0; i < count; ++i) {
    segments[initial.segment[i]].cluster = label[i];
    labels = std::max(labels, label[i] + 1);
  }
  if (!speakers) absorbSmallClusters(segments, features, static_cast<std::size_t>(labels), settings);
}

}  // namespace parley::transcribe
