#include "transcribe/BleedRule.h"

#include <algorithm>
#include <cmath>

namespace parley::transcribe {

namespace {

// Pearson correlation of a[i] and b[i + shift] over the frames both have, or -1 if fewer
// than `minFrames` overlap.
double correlation(const std::vector<float>& a, const std::vector<float>& b, long shift, std::size_t minFrames) {
  const long from = std::max(0L, -shift);
  const long to = std::min(static_cast<long>(a.size()), static_cast<long>(b.size()) - shift);
  if (to - from < static_cast<long>(minFrames)) return -1;
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (long i = from; i < to; ++i) {
    const double x = a[i], y = b[i + shift];
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  const double n = static_cast<double>(to - from);
  const double cov = sab / n - (sa / n) * (sb / n);
  const double va = saa / n - (sa / n) * (sa / n), vb = sbb / n - (sb / n) * (sb / n);
  if (va <= 1e-6 || vb <= 1e-6) return -1;  // a flat contour says nothing
  return cov / std::sqrt(va * vb);
}

}  // namespace

float frameLevelDb(const float* frame) {
  double energy = 0;
  for (int i = 0; i < 160; ++i) energy += double(frame[i]) * frame[i];
  return static_cast<float>(std::max(-100.0, 10 * std::log10(energy / 160 + 1e-12)));
}

bool leaked(const UtteranceSketch& quiet, const UtteranceSketch& loud, const BleedSettings& settings) {
  if (quiet.track == loud.track || loud.levelDb < quiet.levelDb + settings.marginDb) return false;
  const double overlap = std::min(quiet.end, loud.end) - std::max(quiet.start, loud.start);
  const double shorter = std::min(quiet.end - quiet.start, loud.end - loud.start);
  if (overlap < 0.5 * shorter) return false;
  // quiet[i] is heard at quiet.start + i/100; the original of it at loud frame
  // i + (quiet.start - loud.start) * 100 - delay.
  const long aligned = std::lround((quiet.start - loud.start) * 100);
  const long maxDelay = std::lround(settings.maxDelaySeconds * 100);
  double best = -1;
  for (long delay = -10; delay <= maxDelay; ++delay) {
    best = std::max(best, correlation(quiet.envelope, loud.envelope, aligned - delay, 30));
  }
  return best >= settings.minCorrelation;
}

}  // namespace parley::transcribe
