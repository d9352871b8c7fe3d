#pragma once
// A diagonal-covariance Gaussian mixture over MFCC frames: fitted with a few EM iterations
// (a speaker's model in resegmentation, a recording's background model), and adapted to a
// subset of frames by maximum a posteriori (a speaker's model against that background).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "transcribe/Mfcc.h"

namespace parley::transcribe {

inline constexpr double kLog2Pi = 1.8378770664093453;

struct Gmm {
  static constexpr int kMaxComponents = 64;

  struct Component {
    double weight;
    std::array<double, kCepstra> mean, var;
    double constant;  // log weight - 0.5 (D log 2π + Σ log var)
  };
  std::vector<Component> components;

  void finalize() {
    for (auto& c : components) {
      double logVar = 0;
      for (int i = 0; i < kCepstra; ++i) logVar += std::log(c.var[i]);
      c.constant = std::log(std::max(c.weight, 1e-8)) - 0.5 * (kCepstra * kLog2Pi + logVar);
    }
  }

  double logLikelihood(const MfccFrame& f) const {
    double best = -std::numeric_limits<double>::infinity();
    double terms[kMaxComponents];
    int count = 0;
    for (const auto& c : components) {
      double q = 0;
      for (int i = 0; i < kCepstra; ++i) {
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
    const int k = static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>({static_cast<std::size_t>(std::max(components, 1)), n / 20, static_cast<std::size_t>(kMaxComponents)})));
    // Initialise means from evenly spaced frames, variances from the whole set.
    std::array<double, kCepstra> mean{}, var{};
    for (const auto* f : frames)
      for (int i = 0; i < kCepstra; ++i) mean[i] += (*f)[i];
    for (int i = 0; i < kCepstra; ++i) mean[i] /= static_cast<double>(n);
    for (const auto* f : frames)
      for (int i = 0; i < kCepstra; ++i) var[i] += ((*f)[i] - mean[i]) * ((*f)[i] - mean[i]);
    for (int i = 0; i < kCepstra; ++i) var[i] = std::max(var[i] / static_cast<double>(n), 1e-3);
    for (int c = 0; c < k; ++c) {
      Component comp{1.0 / k, {}, var, 0};
      const auto* f = frames[(c * n) / k + n / (2 * k)];
      for (int i = 0; i < kCepstra; ++i) comp.mean[i] = (*f)[i];
      g.components.push_back(comp);
    }
    g.finalize();
    std::vector<double> resp(static_cast<std::size_t>(k));
    for (int iteration = 0; iteration < 6; ++iteration) {
      std::vector<double> weight(k, 1e-6);
      std::vector<std::array<double, kCepstra>> sum(k), sumSq(k);
      for (const auto* f : frames) {
        double best = -1e300;
        for (int c = 0; c < k; ++c) {
          double q = 0;
          for (int i = 0; i < kCepstra; ++i) {
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
          for (int i = 0; i < kCepstra; ++i) {
            sum[c][i] += r * (*f)[i];
            sumSq[c][i] += r * (*f)[i] * (*f)[i];
          }
        }
      }
      for (int c = 0; c < k; ++c) {
        auto& comp = g.components[c];
        comp.weight = weight[c] / static_cast<double>(n);
        for (int i = 0; i < kCepstra; ++i) {
          comp.mean[i] = sum[c][i] / weight[c];
          comp.var[i] = std::max(sumSq[c][i] / weight[c] - comp.mean[i] * comp.mean[i], 1e-3);
        }
      }
      g.finalize();
    }
    return g;
  }

  // Means and weights adapted to `frames` by maximum a posteriori (relevance factor r): a
  // component that saw little of them keeps this model's. Variances stay.
  Gmm adapt(const std::vector<const MfccFrame*>& frames, double relevance) const {
    Gmm out = *this;
    const std::size_t k = components.size();
    std::vector<double> count(k, 0), resp(k);
    std::vector<std::array<double, kCepstra>> sum(k);
    for (const auto* f : frames) {
      double best = -1e300;
      for (std::size_t c = 0; c < k; ++c) {
        double q = 0;
        for (int i = 0; i < kCepstra; ++i) {
          const double d = (*f)[i] - components[c].mean[i];
          q += d * d / components[c].var[i];
        }
        resp[c] = components[c].constant - 0.5 * q;
        best = std::max(best, resp[c]);
      }
      double total = 0;
      for (std::size_t c = 0; c < k; ++c) total += (resp[c] = std::exp(resp[c] - best));
      for (std::size_t c = 0; c < k; ++c) {
        const double r = resp[c] / total;
        count[c] += r;
        for (int i = 0; i < kCepstra; ++i) sum[c][i] += r * (*f)[i];
      }
    }
    double total = 0;
    for (double c : count) total += c;
    double weights = 0;
    for (std::size_t c = 0; c < k; ++c) {
      const double alpha = count[c] / (count[c] + relevance);
      auto& component = out.components[c];
      component.weight = alpha * count[c] / std::max(total, 1.0) + (1 - alpha) * components[c].weight;
      weights += component.weight;
      if (count[c] <= 0) continue;
      for (int i = 0; i < kCepstra; ++i) component.mean[i] = alpha * sum[c][i] / count[c] + (1 - alpha) * components[c].mean[i];
    }
    for (auto& component : out.components) component.weight /= weights;
    out.finalize();
    return out;
  }
};

}  // namespace parley::transcribe
