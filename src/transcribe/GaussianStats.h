#pragma once
// Sufficient statistics of a full-covariance Gaussian over MFCC frames, and the Bayesian
// information criterion that compares one Gaussian for two sets of frames with one each.
// Used by the diarizer's clustering; internal to `transcribe`.
#include <array>
#include <cmath>

#include "transcribe/Mfcc.h"

namespace parley::transcribe {

struct GaussianStats {
  static constexpr int D = kCepstra;

  double n = 0;
  std::array<double, D> sum{};
  std::array<double, D * D> outer{};  // lower triangle only

  void add(const MfccFrame& f) {
    n += 1;
    for (int i = 0; i < D; ++i) {
      sum[i] += f[i];
      for (int j = 0; j <= i; ++j) outer[i * D + j] += double(f[i]) * f[j];
    }
  }
  void merge(const GaussianStats& o) {
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

// ΔBIC of one Gaussian for both sets rather than one each: positive means two speakers.
inline double bic(const GaussianStats& a, const GaussianStats& b, double penalty) {
  constexpr double kFullParams = GaussianStats::D + GaussianStats::D * (GaussianStats::D + 1) / 2.0;
  GaussianStats both = a;
  both.merge(b);
  return 0.5 * (both.n * both.logDet() - a.n * a.logDet() - b.n * b.logDet()) -
         penalty * 0.5 * kFullParams * std::log(both.n);
}

}  // namespace parley::transcribe
