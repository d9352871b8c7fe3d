#include "transcribe/Diarizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "transcribe/Gmm.h"

namespace parley::transcribe {

namespace {

constexpr int D = kCepstra;

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


struct Segment {
  std::size_t begin, end;  // frames
  int cluster = -1;
};

// A cluster with little speech is more often a piece of a speaker (a different mood, a
// cough, a noisy stretch) than a speaker of its own: below the smaller of a share of all
// the speech and a few seconds, it joins the cluster that costs least to join.
void absorbSmallClusters(std::vector<Segment>& segments, std::span<const MfccFrame> features, std::size_t labels,
                         const DiarizationSettings& settings) {
  for (;;) {
    std::vector<Stats> stats(labels);
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

// Each label's speech frames (labels 0 to the largest), to fit or score its model.
std::vector<std::vector<const MfccFrame*>> framesByLabel(const std::vector<int>& frameLabel,
                                                         std::span<const MfccFrame> features,
                                                         std::span<const std::uint8_t> speech) {
  int labels = 0;
  for (int l : frameLabel) labels = std::max(labels, l + 1);
  std::vector<std::vector<const MfccFrame*>> byLabel(static_cast<std::size_t>(labels));
  for (std::size_t t = 0; t < frameLabel.size(); ++t)
    if (speech[t] && frameLabel[t] >= 0) byLabel[static_cast<std::size_t>(frameLabel[t])].push_back(&features[t]);
  return byLabel;
}

// Second opinion on the count, after resegmentation: each speaker's model is the file's own
// background model (a GMM of all its speech) with means adapted to that speaker's frames, and
// two speakers whose frames each explain the other's better than the background does
// (cross-likelihood ratio above a threshold) are one. The single Gaussians of the first
// clustering split a long monologue by mood and content; adapted mixtures do not.
void mergeByCrossLikelihood(std::vector<int>& frameLabel, std::span<const MfccFrame> features,
                            std::span<const std::uint8_t> speech, const DiarizationSettings& settings) {
  auto byLabel = framesByLabel(frameLabel, features, speech);
  if (byLabel.size() < 2) return;
  std::vector<const MfccFrame*> all;  // in time order, as the background model's start expects
  for (std::size_t t = 0; t < frameLabel.size(); ++t)
    if (speech[t] && frameLabel[t] >= 0) all.push_back(&features[t]);
  if (all.size() < 200) return;
  const Gmm background = Gmm::fit(all, settings.backgroundComponents);
  const std::size_t n = byLabel.size();
  std::vector<Gmm> models(n);
  std::vector<double> backgroundScore(n, 0);  // log-likelihood of each label's frames, summed
  std::vector<int> alive(n, 0);
  const auto totalScore = [](const Gmm& g, const std::vector<const MfccFrame*>& frames) {
    double total = 0;
    for (const auto* f : frames) total += g.logLikelihood(*f);
    return total;
  };
  for (std::size_t l = 0; l < n; ++l) {
    if (byLabel[l].size() < 100) continue;  // too little to model: resegmentation already decided
    alive[l] = 1;
    models[l] = background.adapt(byLabel[l], settings.mapRelevance);
    backgroundScore[l] = totalScore(background, byLabel[l]);
  }
  // cross[i][j]: how well speaker j's model explains speaker i's frames, summed over them.
  // Sums add up when two speakers merge, so only the new model's column is computed again.
  std::vector<std::vector<double>> cross(n, std::vector<double>(n, 0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (alive[i] && alive[j] && i != j) cross[i][j] = totalScore(models[j], byLabel[i]);
  std::vector<int> into(n);
  for (std::size_t l = 0; l < n; ++l) into[l] = static_cast<int>(l);
  for (;;) {
    double best = -1e300;
    std::size_t bi = 0, bj = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!alive[i]) continue;
      for (std::size_t j = i + 1; j < n; ++j) {
        if (!alive[j]) continue;
        const double ni = static_cast<double>(byLabel[i].size()), nj = static_cast<double>(byLabel[j].size());
        const double clr = (cross[i][j] - backgroundScore[i]) / ni + (cross[j][i] - backgroundScore[j]) / nj;
        if (clr > best) {
          best = clr;
          bi = i;
          bj = j;
        }
      }
    }
    if (best < settings.mergeThreshold) break;
    byLabel[bi].insert(byLabel[bi].end(), byLabel[bj].begin(), byLabel[bj].end());
    byLabel[bj].clear();
    alive[bj] = 0;
    backgroundScore[bi] += backgroundScore[bj];
    models[bi] = background.adapt(byLabel[bi], settings.mapRelevance);
    for (std::size_t l = 0; l < n; ++l) {
      if (!alive[l] || l == bi) continue;
      cross[bi][l] += cross[bj][l];
      cross[l][bi] = totalScore(models[bi], byLabel[l]);
    }
    for (auto& target : into) {
      if (target == static_cast<int>(bj)) target = static_cast<int>(bi);
    }
  }
  for (int& l : frameLabel) {
    if (l >= 0) l = into[static_cast<std::size_t>(l)];
  }
}

// How well a labelling explains the speech: each speaker's frames under a GMM of their own.
double labellingScore(const std::vector<int>& frameLabel, std::span<const MfccFrame> features,
                      std::span<const std::uint8_t> speech, int components) {
  double total = 0;
  for (const auto& frames : framesByLabel(frameLabel, features, speech)) {
    if (frames.empty()) continue;
    const Gmm model = Gmm::fit(frames, components);
    for (const MfccFrame* f : frames) total += model.logLikelihood(*f);
  }
  return total;
}

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

std::vector<int> Diarizer::labelFrames(std::span<const MfccFrame> features, std::span<const std::uint8_t> speech,
                                       std::optional<int> speakers, int maxSegmentFrames) const {
  const std::size_t frames = std::min(features.size(), speech.size());
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
        const std::size_t pieces = std::max<std::size_t>(1, (length + maxSegmentFrames - 1) / maxSegmentFrames);
        for (std::size_t p = 0; p < pieces; ++p) {
          segments.push_back({from + length * p / pieces, from + length * (p + 1) / pieces});
        }
        from = cut;
      }
    }
    t = end;
  }
  if (segments.empty()) return std::vector<int>(frames, -1);

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
    // ΔBIC of each pair i < j, the upper triangle only (two hours make 2,400 segments).
    const std::size_t m = clusters.size();
    std::vector<double> costs(m * (m - 1) / 2 + 1, 0);
    const auto cost = [&](std::size_t i, std::size_t j) -> double& { return costs[i * (2 * m - i - 1) / 2 + (j - i - 1)]; };
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = i + 1; j < m; ++j) cost(i, j) = bic(clusters[i], clusters[j], settings_.clusterPenalty);
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
          if (alive[j] && cost(i, j) < best) {
            best = cost(i, j);
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
        cost(std::min(k, bi), std::max(k, bi)) = c;
      }
    }
    const std::size_t initial = members.size();
    std::size_t keep = target;  // clusters to keep
    if (!speakers) {
      // The count where merging further costs a sudden jump in ΔBIC: joining two real
      // speakers costs far more than joining two pieces of one. A final merge that ΔBIC
      // clearly favours means one speaker; near zero, the cross-likelihood test after
      // resegmentation decides (with a few seconds per cluster, full-covariance ΔBIC favours
      // merging even different voices).
      const auto costOf = [&](std::size_t clustersBefore) { return history[initial - clustersBefore].cost; };
      keep = initial >= 2 && costOf(2) > settings_.oneSpeakerBelow && settings_.mergeThreshold < 1e9 ? 2 : 1;
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
    if (!speakers) absorbSmallClusters(segments, features, labelOf.size(), settings_);
  }

  // 3. Resegmentation: a GMM per speaker, frame likelihoods smoothed over 0.6 s.
  std::vector<int> frameLabel(frames, -1);
  for (const auto& seg : segments)
    for (std::size_t t = seg.begin; t < seg.end; ++t) frameLabel[t] = seg.cluster;
  int labels = 0;
  for (int l : frameLabel) labels = std::max(labels, l + 1);
  for (int pass = 0; pass < settings_.resegmentationPasses && labels > 1; ++pass) {
    const auto byLabel = framesByLabel(frameLabel, features, speech);
    std::vector<Gmm> models;
    std::vector<int> modelLabel;
    for (std::size_t l = 0; l < byLabel.size(); ++l) {
      if (byLabel[l].size() < 30) continue;
      models.push_back(Gmm::fit(byLabel[l], settings_.gmmComponents));
      modelLabel.push_back(static_cast<int>(l));
    }
    if (models.size() < 2) break;
    const std::size_t m = models.size();
    // Average within each speech region over a sliding window, then take the best model.
    // Likelihoods live one region at a time (a whole recording's would be 40 bytes a frame).
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
        for (std::size_t k = 0; k < m; ++k)
          prefix[(u - t + 1) * m + k] = prefix[(u - t) * m + k] + models[k].logLikelihood(features[u]);
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

  if (!speakers && settings_.mergeThreshold < 1e9) mergeByCrossLikelihood(frameLabel, features, speech, settings_);
  return frameLabel;
}

std::vector<SpeakerTurn> Diarizer::diarize(std::vector<MfccFrame> features, std::span<const std::uint8_t> speech,
                                           std::optional<int> speakers) const {
  const std::size_t frames = std::min(features.size(), speech.size());
  if (frames == 0) return {};
  // Normalise each coefficient over the speech frames, so the regulariser and the
  // penalties mean the same on every recording.
  features.resize(frames);
  std::size_t speechFrames = 0;
  {
    std::array<double, D> mean{}, var{};
    for (std::size_t t = 0; t < frames; ++t) {
      if (!speech[t]) continue;
      ++speechFrames;
      for (int i = 0; i < D; ++i) mean[i] += features[t][i];
    }
    if (speechFrames < 10) return {};
    const auto n = static_cast<double>(speechFrames);
    for (int i = 0; i < D; ++i) mean[i] /= n;
    for (std::size_t t = 0; t < frames; ++t) {
      if (!speech[t]) continue;
      for (int i = 0; i < D; ++i) var[i] += (features[t][i] - mean[i]) * (features[t][i] - mean[i]);
    }
    for (int i = 0; i < D; ++i) var[i] = std::sqrt(std::max(var[i] / n, 1e-6));
    for (auto& f : features)
      for (int i = 0; i < D; ++i) f[i] = static_cast<float>((f[i] - mean[i]) / var[i]);
  }

  // Clustering is a local search whose result hangs on where the speech is first cut: on a
  // short recording, a few segments more or less can join two speakers or split one. So
  // where clustering is cheap (few segments) it is run from several cuttings, and the
  // labelling that explains the speech best (a GMM per speaker) is kept.
  std::vector<int> lengths{settings_.maxSegmentFrames};
  for (int alternative : settings_.alternativeSegmentFrames)
    if (alternative > 0 && speechFrames / static_cast<std::size_t>(alternative) <= settings_.alternativesUpToSegments)
      lengths.push_back(alternative);
  std::vector<int> frameLabel = labelFrames(features, speech, speakers, lengths.front());
  if (lengths.size() > 1) {
    // Each labelling's count already passed the cross-likelihood check, so comparing plain
    // likelihoods across counts does not simply reward splitting a speaker.
    double bestScore = labellingScore(frameLabel, features, speech, settings_.gmmComponents);
    for (std::size_t i = 1; i < lengths.size(); ++i) {
      auto labels = labelFrames(features, speech, speakers, lengths[i]);
      const double score = labellingScore(labels, features, speech, settings_.gmmComponents);
      if (score > bestScore) {
        bestScore = score;
        frameLabel = std::move(labels);
      }
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
    const double start = static_cast<double>(t) / 100.0;
    // A short pause between two stretches of the same speaker belongs to the turn: people
    // breathe inside sentences, and references count a turn from its first word to its last.
    if (!turns.empty() && turns.back().speaker == renumber[label] && start - turns.back().end < settings_.bridgePauseSeconds)
      turns.back().end = static_cast<double>(end) / 100.0;
    else
      turns.push_back({start, static_cast<double>(end) / 100.0, renumber[label]});
    t = end;
  }
  return turns;
}

}  // namespace parley::transcribe
