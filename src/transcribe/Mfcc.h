#pragma once
// Mel-frequency cepstral coefficients for speaker modelling: 25 ms Hamming windows every
// 10 ms, 512-point FFT, 40 mel bands from 20 Hz to 7.6 kHz, log, DCT. Streaming: feed
// samples, take frames.
#include <array>
#include <complex>
#include <span>
#include <vector>

namespace parley::transcribe {

inline constexpr int kCepstra = 19;  // c1..c19; c0 (loudness) says little about who speaks

using MfccFrame = std::array<float, kCepstra>;

class MfccExtractor {
 public:
  MfccExtractor();
  // Appends one frame per 10 ms of input to `out`.
  void feed(std::span<const float> samples, std::vector<MfccFrame>& out);

 private:
  void compute(const float* window, MfccFrame& out);

  std::vector<float> pending_;
  std::vector<float> hamming_;
  std::vector<std::vector<std::pair<int, float>>> melFilters_;  // per band: (bin, weight)
  std::vector<std::vector<float>> dct_;
  std::vector<std::complex<float>> fft_;
  std::vector<std::complex<float>> twiddles_;
  std::vector<int> bitReverse_;
  float previous_ = 0;  // for pre-emphasis across calls
};

}  // namespace parley::transcribe
