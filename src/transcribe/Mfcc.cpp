#include "transcribe/Mfcc.h"

#include <cmath>

namespace parley::transcribe {

namespace {
constexpr int kWindow = 400;
constexpr int kHop = 160;
constexpr int kFft = 512;
constexpr int kBands = 40;
constexpr float kPi = 3.14159265358979f;

float hzToMel(float hz) { return 1127.0f * std::log(1.0f + hz / 700.0f); }
float melToHz(float mel) { return 700.0f * (std::exp(mel / 1127.0f) - 1.0f); }
}  // namespace

MfccExtractor::MfccExtractor() : hamming_(kWindow), fft_(kFft), twiddles_(kFft / 2), bitReverse_(kFft) {
  for (int i = 0; i < kWindow; ++i) hamming_[i] = 0.54f - 0.46f * std::cos(2 * kPi * i / (kWindow - 1));
  // Triangular mel filters over the power spectrum's bins.
  const float low = hzToMel(20), high = hzToMel(7600);
  std::vector<float> edges(kBands + 2);
  for (int i = 0; i < kBands + 2; ++i) edges[i] = melToHz(low + (high - low) * i / (kBands + 1)) * kFft / 16000.0f;
  melFilters_.resize(kBands);
  for (int b = 0; b < kBands; ++b) {
    for (int bin = 0; bin <= kFft / 2; ++bin) {
      const float f = static_cast<float>(bin);
      float w = 0;
      if (f > edges[b] && f <= edges[b + 1]) w = (f - edges[b]) / (edges[b + 1] - edges[b]);
      else if (f > edges[b + 1] && f < edges[b + 2]) w = (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1]);
      if (w > 0) melFilters_[b].emplace_back(bin, w);
    }
  }
  dct_.assign(kCepstra, std::vector<float>(kBands));
  for (int c = 0; c < kCepstra; ++c) {
    for (int b = 0; b < kBands; ++b) dct_[c][b] = std::cos(kPi * (c + 1) * (b + 0.5f) / kBands);
  }
  for (int i = 0; i < kFft / 2; ++i) twiddles_[i] = std::polar(1.0f, -2 * kPi * i / kFft);
  int bits = 0;
  while ((1 << bits) < kFft) ++bits;
  for (int i = 0; i < kFft; ++i) {
    int r = 0;
    for (int b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitReverse_[i] = r;
  }
}

void MfccExtractor::feed(std::span<const float> samples, std::vector<MfccFrame>& out) {
  for (float s : samples) {
    pending_.push_back(s - 0.97f * previous_);
    previous_ = s;
  }
  std::size_t offset = 0;
  while (pending_.size() - offset >= kWindow) {
    MfccFrame frame;
    compute(pending_.data() + offset, frame);
    out.push_back(frame);
    offset += kHop;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(offset));
}

void MfccExtractor::compute(const float* window, MfccFrame& out) {
  for (int i = 0; i < kFft; ++i) {
    const int src = bitReverse_[i];
    fft_[i] = src < kWindow ? std::complex<float>(window[src] * hamming_[src], 0) : 0;
  }
  // Iterative radix-2 FFT.
  for (int size = 2; size <= kFft; size *= 2) {
    const int half = size / 2, step = kFft / size;
    for (int start = 0; start < kFft; start += size) {
      for (int k = 0; k < half; ++k) {
        const auto t = twiddles_[k * step] * fft_[start + k + half];
        fft_[start + k + half] = fft_[start + k] - t;
        fft_[start + k] += t;
      }
    }
  }
  float logMel[kBands];
  for (int b = 0; b < kBands; ++b) {
    float energy = 0;
    for (const auto& [bin, w] : melFilters_[b]) energy += w * std::norm(fft_[bin]);
    logMel[b] = std::log(energy + 1e-10f);
  }
  for (int c = 0; c < kCepstra; ++c) {
    float sum = 0;
    for (int b = 0; b < kBands; ++b) sum += dct_[c][b] * logMel[b];
    out[c] = sum;
  }
}

}  // namespace parley::transcribe
