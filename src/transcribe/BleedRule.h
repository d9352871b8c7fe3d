#pragma once
// A voice that leaks from a loudspeaker into another participant's microphone (no echo
// cancellation) must not be transcribed twice, under the wrong name the second time. The
// copy is quieter than the original and follows its loudness contour, a little later; two
// people talking at once do neither, so both keep their words.
#include <cstddef>
#include <string>
#include <vector>

namespace parley::transcribe {

// What the rule needs to know of an utterance.
struct UtteranceSketch {
  std::string track;
  double start = 0, end = 0;    // transcription clock, seconds
  double levelDb = 0;           // mean power
  std::vector<float> envelope;  // dB per 10 ms from `start`
};

struct BleedSettings {
  double marginDb = 6.0;          // the original is louder by at least this much
  double minCorrelation = 0.6;    // of the two loudness contours, at the best delay
  double maxDelaySeconds = 0.8;   // the copy comes this much later at most (network, jitter)
};

// Log power of 10 ms of 16 kHz audio (160 samples), floored at -100 dB.
float frameLevelDb(const float* frame);

// True when `quiet` is `loud`'s voice picked up by another microphone.
bool leaked(const UtteranceSketch& quiet, const UtteranceSketch& loud, const BleedSettings& settings);

}  // namespace parley::transcribe
