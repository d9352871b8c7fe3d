#include "transcribe/Diarizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace parley::transcribe {

namespace {

constexpr int D = kCepstra;
constexpr double kLog2Pi = 1.8378770664093453;

// Sufficient statistics of a full-covariance Gaussian.
struct Stats {
  double n = 0;
  std::array<double, D> sum{};
  std::array<double, D * D> outer{};

  void add(const MfccFrame& f) {
    n += 1;
    for (int i = 0; i < D; ++i) {
      sum[i] += f[i];
      for (int j = 0; j <= i; ++j) outer[i * D + j] += double(f[i]) * f[j];
    }
  }
  void merge(const Stats& o) {
    n += o.n;
    for (int i = 0; i < D; ++i) sum[i] += o.sum[i];
    for (int k = 0; k < D * D; ++k) outer[k] += o.outer[k];
  }
  // log-determinant of the covariance (regularised), by Cholesky.
  double logDet() const {
    std::array<double, D * D> c{};
    for (int i = 0; i < D; ++i) {
      for (int j = 0; j <= i; ++j) {
        c[i * D + j] = outer[i * D + j] / n - (sum[i] / n) * (sum[j] / n);
      }
      c[i * D + i] += 1e-3;
    }
    double logDet = 0;
    for (int j = 0; j < D; ++j) {
      double diag = c[j * D + j];
      for (int k = 0; k < j; ++k) diag -= c[j * D + k] * c[j * D + k];
      if (diag <= 1e-12) diag = 1e-12;
      const double l = std::sqrt(diag);
      c[j * D + j] = l;
      logDet += 2 * std::log(l);
      for (int i = j + 1; i < D; ++i) {
        double v = c[i * D + j];
        for (int k = 0; k < j; ++k) v -= c[i * D + k] * c[j * D + k];
        c[i * D + j] = v / l;
      }
    }
    return logDet;
  }
};

constexpr double kFullParams = D + D * (D + 1) / 2.0;

double bic(const Stats& a, const Stats& b, double penalty) {
  Stats both = a;
  both.merge(b);
  return 0.5 * (both.n * both.logDet() - a.n * a.logDet() - b.n * b.logDet()) -
         penalty * 0.5 * kFullParams * std::log(both.n);
}

// Diagonal statistics for the sliding change detector (a window of 1.5 s cannot
// estimate a full covariance).
double diagLogDet(std::span<const MfccFrame> frames) {
  double logDet = 0;
  const double n = static_cast<double>(frames.size());
  for (int i = 0; i < D; ++i) {
    double s = 0, ss = 0;
    for (const auto& f : frames) {
      s += f[i];
      ss += double(f[i]) * f[i];
    }
    logDet += std::log(std::max(1e-6, ss / n - (s / n) * (s / n)));
  }
  return logDet;
}

// A diagonal-covariance Gaussian mixture, fitted with a few EM iterations.
struct Gmm {
  struct Component {
    double weight;
    std::array<double, D> mean, var;
    double constant;  // log weight - 0.5 (D log 2π + Σ log var)
  };
  std::vector<Component> components;

  void finalize() {
    for (auto& c : components) {
      double logVar = 0;
      for (int i = 0; i < D; ++i) logVar += std::log(c.var[i]);
      c.constant = std::log(std::max(c.weight, 1e-8)) - 0.5 * (D * kLog2Pi + logVar);
    }
  }

  double logLikelihood(const MfccFrame& f) const {
    double best = -std::numeric_limits<double>::infinity();
    double terms[32];
    int count = 0;
    for (const auto& c : components) {
      double q = 0;
      for (int i = 0; i < D; ++i) {
        const double d = f[i] - c.mean[i];
        q += d * d / c.var[i];
      }
      terms[count] = c.constant - 0.5 * q;
      best = std::max(best, terms[count]);
      ++count;
    }
    double sum = 0;
    for (int k = 0; k < count; ++k) sum += std::exp(terms[k] - best);
    return best + std::log(sum);
  }

  static Gmm fit(const std::vector<const MfccFrame*>& frames, int components) {
    Gmm g;
    const std::size_t n = frames.size();
    const int k = static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(components, n / 20)));
    // Initialise means from evenly spaced frames, variances from the whole set.
    std::array<double, D> mean{}, var{};
    for (const auto* f : frames)
      for (int i = 0; i < D; ++i) mean[i] += (*f)[i];
    for (int i = 0; i < D; ++i) mean[i] /= static_cast<double>(n);
    for (const auto* f : frames)
      for (int i = 0; i < D; ++i) var[i] += ((*f)[i] - mean[i]) * ((*f)[i] - mean[i]);
    for (int i = 0; i < D; ++i) var[i] = std::max(var[i] / static_cast<double>(n), 1e-3);
    for (int c = 0; c < k; ++c) {
      Component comp{1.0 / k, {}, var, 0};
      const auto* f = frames[(c * n) / k + n / (2 * k)];
      for (int i = 0; i < D; ++i) comp.mean[i] = (*f)[i];
      g.components.push_back(comp);
    }
    g.finalize();
    std::vector<double> resp(static_cast<std::size_t>(k));
    for (int iteration = 0; iteration < 6; ++iteration) {
      std::vector<double> weight(k, 1e-6);
      std::vector<std::array<double, D>> sum(k), sumSq(k);
      for (const auto* f : frames) {
        double best = -1e300;
        for (int c = 0; c < k; ++c) {
          double q = 0;
          for (int i = 0; i < D; ++i) {
            const double d = (*f)[i] - g.components[c].mean[i];
            q += d * d / g.components[c].var[i];
          }
          resp[c] = g.components[c].constant - 0.5 * q;
          best = std::max(best, resp[c]);
        }
        double total = 0;
        for (int c = 0; c < k; ++c) total += (resp[c] = std::exp(resp[c] - best));
        for (int c = 0; c < k; ++c) {
          const double r = resp[c] / total;
          weight[c] += r;
          for (int i = 0; i < D; ++i) {
            sum[c][i] += r * (*f)[i];
            sumSq[c][i] += r * (*f)[i] * (*f)[i];
          }
        }
      }
      for (int c = 0; c < k; ++c) {
        auto& comp = g.components[c];
        comp.weight = weight[c] / static_cast<double>(n);
        for (int i = 0; i < D; ++i) {
          comp.mean[i] = sum[c][i] / weight[c];
          comp.var[i] = std::max(sumSq[c][i] / weight[c] - comp.mean[i] * comp.mean[i], 1e-3);
        }
      }
      g.finalize();
    }
    return g;
  }
};

struct Segment {
  std::size_t begin, end;  // frames
  int cluster = -1;
};

}  // namespace

double deltaBic(std::span<const MfccFrame> a, std::span<const MfccFrame> b, double penalty) {
  Stats sa, sb;
  for (const auto& f : a) sa.add(f);
  for (const auto& f : b) sb.add(f);
  return bic(sa, sb, penalty);
}

std::vector<std::size_t> Diarizer::detectChanges(std::span<const MfccFrame> features, std::size_t begin,
                                                 std::size_t end) const {
  std::vector<std::size_t> changes;
  const std::size_t w = static_cast<std::size_t>(settings_.changeWindowFrames);
  if (end - begin < 2 * w) return changes;
  const double diagParams = 2.0 * D;
  std::vector<std::pair<std::size_t, double>> scores;
  for (std::size_t t = begin + w; t + w <= end; t += 10) {
    const auto left = features.subspan(t - w, w);
    const auto right = features.subspan(t, w);
    const auto both = features.subspan(t - w, 2 * w);
    const double n = static_cast<double>(2 * w);
    const double score = 0.5 * (n * diagLogDet(both) - w * diagLogDet(left) - w * diagLogDet(right)) -
                         settings_.changePenalty * 0.5 * diagParams * std::log(n);
    scores.emplace_back(t, score);
  }
  // Local maxima above zero, at least a window apart.
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (scores[i].second <= 0) continue;
    bool peak = true;
    for (std::size_t j = (i >= 10 ? i - 10 : 0); j < std::min(scores.size(), i + 11); ++j) {
      if (j != i && scores[j].second > scores[i].second) peak = false;
    }
    if (peak && (changes.empty() || scores[i].first - changes.back() >= w / 2)) changes.push_back(scores[i].first);
  }
  return changes;
}

std::vector<SpeakerTurn> Diarizer::diarize(std::span<const MfccFrame> rawFeatures, std::span<const std::uint8_t> speech,
                                           std::optional<int> speakers) const {
  const std::size_t frames = std::min(rawFeatures.size(), speech.size());
  if (frames == 0) return {};
  // Normalise each coefficient over the speech frames, so the regulariser and the
  // penalties mean the same on every recording.
  std::vector<MfccFrame> features(rawFeatures.begin(), rawFeatures.begin() + static_cast<long>(frames));
  {
    std::array<double, D> mean{}, var{};
    double n = 0;
    for (std::size_t t = 0; t < frames; ++t) {
      if (!speech[t]) continue;
      n += 1;
      for (int i = 0; i < D; ++i) mean[i] += features[t][i];
    }
    if (n < 10) return {};
    for (int i = 0; i < D; ++i) mean[i] /= n;
    for (std::size_t t = 0; t < frames; ++t) {
      if (!speech[t]) continue;
      for (int i = 0; i < D; ++i) var[i] += (features[t][i] - mean[i]) * (features[t][i] - mean[i]);
    }
    for (int i = 0; i < D; ++i) var[i] = std::sqrt(std::max(var[i] / n, 1e-6));
    for (auto& f : features)
      for (int i = 0; i < D; ++i) f[i] = static_cast<float>((f[i] - mean[i]) / var[i]);
  }

  // 1. Speech regions, cut at speaker changes and into pieces of at most 3 s.
  std::vector<Segment> segments;
  for (std::size_t t = 0; t < frames;) {
    if (!speech[t]) {
      ++t;
      continue;
    }
    std::size_t end = t;
    while (end < frames && speech[end]) ++end;
    if (end - t >= 10) {
      auto cuts = detectChanges(features, t, end);
      cuts.push_back(end);
      std::size_t from = t;
      for (std::size_t cut : cuts) {
        const std::size_t length = cut - from;
        const std::size_t pieces = std::max<std::size_t>(1, (length + settings_.maxSegmentFrames - 1) / settings_.maxSegmentFrames);
        for (std::size_t p = 0; p < pieces; ++p) {
          segments.push_back({from + length * p / pieces, from + length * (p + 1) / pieces});
        }
        from = cut;
      }
    }
    t = end;
  }
  if (segments.empty()) return {};

  // 2. Bottom-up clustering of the segments long enough to estimate a Gaussian.
  std::vector<Stats> clusters;
  std::vector<std::vector<std::size_t>> members;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    if (segments[s].end - segments[s].begin < static_cast<std::size_t>(settings_.minClusterFrames)) continue;
    Stats st;
    for (std::size_t t = segments[s].begin; t < segments[s].end; ++t) st.add(features[t]);
    clusters.push_back(st);
    members.push_back({s});
  }
  if (clusters.empty()) {
    // Only short bursts: one speaker.
    for (auto& seg : segments) seg.cluster = 0;
  } else {
    std::vector<std::vector<double>> cost(clusters.size(), std::vector<double>(clusters.size(), 0));
    for (std::size_t i = 0; i < clusters.size(); ++i)
      for (std::size_t j = i + 1; j < clusters.size(); ++j) cost[i][j] = bic(clusters[i], clusters[j], settings_.clusterPenalty);
    // Merge all the way down, remembering each merge and its cost; then choose how many
    // speakers to keep.
    std::vector<bool> alive(clusters.size(), true);
    std::size_t count = clusters.size();
    const std::size_t target = speakers ? static_cast<std::size_t>(std::max(1, *speakers)) : 1;
    struct Merge {
      std::size_t into, from;
      double cost;
    };
    std::vector<Merge> history;
    while (count > target) {
      double best = std::numeric_limits<double>::infinity();
      std::size_t bi = 0, bj = 0;
      for (std::size_t i = 0; i < clusters.size(); ++i) {
        if (!alive[i]) continue;
        for (std::size_t j = i + 1; j < clusters.size(); ++j) {
          if (alive[j] && cost[i][j] < best) {
            best = cost[i][j];
            bi = i;
            bj = j;
          }
        }
      }
      // Per frame, so the cost of joining big clusters late does not dwarf everything.
      history.push_back({bi, bj, best / (clusters[bi].n + clusters[bj].n)});
      clusters[bi].merge(clusters[bj]);
      alive[bj] = false;
      --count;
      for (std::size_t k = 0; k < clusters.size(); ++k) {
        if (!alive[k] || k == bi) continue;
        const double c = bic(clusters[std::min(k, bi)], clusters[std::max(k, bi)], settings_.clusterPenalty);
        cost[std::min(k, bi)][std::max(k, bi)] = c;
      }
    }
    const std::size_t initial = members.size();
    std::size_t keep = target;  // clusters to keep
    if (!speakers) {
      // The count where merging further costs a sudden jump in ΔBIC: joining two real
      // speakers costs far more than joining two pieces of one. A final merge that BIC still
      // favours means one speaker.
      const auto costOf = [&](std::size_t clustersBefore) { return history[initial - clustersBefore].cost; };
      keep = 1;
      if (initial >= 2 && costOf(2) > 0) {
        const std::size_t maxK = std::min<std::size_t>(initial, static_cast<std::size_t>(settings_.maxSpeakers));
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
          if (jumps[k] >= settings_.jumpFraction * largest) {
            keep = k;
            break;
          }
        }
      }
    }
    // Replay the first merges on a union-find to get the kept clusters.
    std::vector<std::size_t> parent(initial);
    std::iota(parent.begin(), parent.end(), 0);
    const auto rootOf = [&](std::size_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    for (std::size_t m = 0; m + keep < initial && m < history.size(); ++m) {
      parent[rootOf(history[m].from)] = rootOf(history[m].into);
    }
    std::map<std::size_t, int> labelOf;
    for (std::size_t i = 0; i < initial; ++i) {
      const std::size_t root = rootOf(i);
      if (!labelOf.count(root)) labelOf[root] = static_cast<int>(labelOf.size());
      for (std::size_t s : members[i]) segments[s].cluster = labelOf[root];
    }
  }

  // 3. Resegmentation: a GMM per speaker, frame likelihoods smoothed over 0.6 s.
  std::vector<int> frameLabel(frames, -1);
  for (const auto& seg : segments)
    for (std::size_t t = seg.begin; t < seg.end; ++t) frameLabel[t] = seg.cluster;
  int labels = 0;
  for (int l : frameLabel) labels = std::max(labels, l + 1);
  for (int pass = 0; pass < settings_.resegmentationPasses && labels > 1; ++pass) {
    std::vector<std::vector<const MfccFrame*>> byLabel(static_cast<std::size_t>(labels));
    for (std::size_t t = 0; t < frames; ++t)
      if (speech[t] && frameLabel[t] >= 0) byLabel[static_cast<std::size_t>(frameLabel[t])].push_back(&features[t]);
    std::vector<Gmm> models;
    std::vector<int> modelLabel;
    for (int l = 0; l < labels; ++l) {
      if (byLabel[static_cast<std::size_t>(l)].size() < 30) continue;
      models.push_back(Gmm::fit(byLabel[static_cast<std::size_t>(l)], settings_.gmmComponents));
      modelLabel.push_back(l);
    }
    if (models.size() < 2) break;
    const std::size_t m = models.size();
    std::vector<double> ll(frames * m, 0);
    for (std::size_t t = 0; t < frames; ++t)
      if (speech[t])
        for (std::size_t k = 0; k < m; ++k) ll[t * m + k] = models[k].logLikelihood(features[t]);
    // Average within each speech region over a sliding window, then take the best model.
    const std::size_t half = static_cast<std::size_t>(settings_.smoothingFrames / 2);
    for (std::size_t t = 0; t < frames;) {
      if (!speech[t]) {
        frameLabel[t++] = -1;
        continue;
      }
      std::size_t end = t;
      while (end < frames && speech[end]) ++end;
      std::vector<double> prefix((end - t + 1) * m, 0);
      for (std::size_t u = t; u < end; ++u)
        for (std::size_t k = 0; k < m; ++k) prefix[(u - t + 1) * m + k] = prefix[(u - t) * m + k] + ll[u * m + k];
      for (std::size_t u = t; u < end; ++u) {
        const std::size_t lo = u >= t + half ? u - half : t;
        const std::size_t hi = std::min(end, u + half + 1);
        std::size_t best = 0;
        double bestScore = -1e300;
        for (std::size_t k = 0; k < m; ++k) {
          const double score = prefix[(hi - t) * m + k] - prefix[(lo - t) * m + k];
          if (score > bestScore) {
            bestScore = score;
            best = k;
          }
        }
        frameLabel[u] = modelLabel[best];
      }
      t = end;
    }
  }

  // 4. Turns, speakers numbered by first appearance.
  std::vector<SpeakerTurn> turns;
  std::map<int, int> renumber;
  for (std::size_t t = 0; t < frames;) {
    if (frameLabel[t] < 0 || !speech[t]) {
      ++t;
      continue;
    }
    const int label = frameLabel[t];
    std::size_t end = t;
    while (end < frames && speech[end] && frameLabel[end] == label) ++end;
    if (!renumber.count(label)) renumber[label] = static_cast<int>(renumber.size());
    turns.push_back({static_cast<double>(t) / 100.0, static_cast<double>(end) / 100.0, renumber[label]});
    t = end;
  }
  return turns;
}

}  // namespace parley::transcribe
