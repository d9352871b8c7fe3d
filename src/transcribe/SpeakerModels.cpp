#include "transcribe/SpeakerModels.h"

#include <algorithm>

#include "transcribe/Gmm.h"

namespace parley::transcribe {

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

namespace {

// A GMM per label with enough frames to fit one, and the label each model stands for.
struct SpeakerGmms {
  std::vector<Gmm> models;
  std::vector<int> label;
};

SpeakerGmms fitSpeakerGmms(const std::vector<int>& frameLabel, std::span<const MfccFrame> features,
                           std::span<const std::uint8_t> speech, int components) {
  SpeakerGmms gmms;
  const auto byLabel = framesByLabel(frameLabel, features, speech);
  for (std::size_t l = 0; l < byLabel.size(); ++l) {
    if (byLabel[l].size() < 30) continue;
    gmms.models.push_back(Gmm::fit(byLabel[l], components));
    gmms.label.push_back(static_cast<int>(l));
  }
  return gmms;
}

// Labels the frames of one speech region [begin, end) with the model whose log-likelihood,
// summed over a window of `smoothingFrames` around each frame, is highest. Likelihoods live
// one region at a time (a whole recording's would be 40 bytes a frame).
void relabelRegion(std::vector<int>& frameLabel, std::span<const MfccFrame> features, std::size_t begin,
                   std::size_t end, const SpeakerGmms& gmms, int smoothingFrames) {
  const std::size_t m = gmms.models.size();
  const std::size_t half = static_cast<std::size_t>(smoothingFrames / 2);
  std::vector<double> prefix((end - begin + 1) * m, 0);  // running sums of each model's log-likelihood
  for (std::size_t u = begin; u < end; ++u)
    for (std::size_t k = 0; k < m; ++k)
      prefix[(u - begin + 1) * m + k] = prefix[(u - begin) * m + k] + gmms.models[k].logLikelihood(features[u]);
  for (std::size_t u = begin; u < end; ++u) {
    const std::size_t lo = u >= begin + half ? u - half : begin;
    const std::size_t hi = std::min(end, u + half + 1);
    std::size_t best = 0;
    double bestScore = -1e300;
    for (std::size_t k = 0; k < m; ++k) {
      const double score = prefix[(hi - begin) * m + k] - prefix[(lo - begin) * m + k];
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    frameLabel[u] = gmms.label[best];
  }
}

}  // namespace

void resegment(std::vector<int>& frameLabel, std::span<const MfccFrame> features,
               std::span<const std::uint8_t> speech, const DiarizationSettings& settings) {
  const std::size_t frames = frameLabel.size();
  int labels = 0;
  for (int l : frameLabel) labels = std::max(labels, l + 1);
  for (int pass = 0; pass < settings.resegmentationPasses && labels > 1; ++pass) {
    const SpeakerGmms gmms = fitSpeakerGmms(frameLabel, features, speech, settings.gmmComponents);
    if (gmms.models.size() < 2) break;
    for (std::size_t t = 0; t < frames;) {
      if (!speech[t]) {
        frameLabel[t++] = -1;
        continue;
      }
      std::size_t end = t;
      while (end < frames && speech[end]) ++end;
      relabelRegion(frameLabel, features, t, end, gmms, settings.smoothingFrames);
      t = end;
    }
  }
}

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

}  // namespace parley::transcribe
