#pragma once
// The voices on one live track, for a microphone shared by several people (a meeting-room
// device). Online, as utterances come: each is compared with every voice heard so far by
// the diarizer's ΔBIC per frame (same voice about 0 to 0.4, another about 1 or more on
// LibriSpeech readers), and joins the closest one or starts a new voice. Voices of earlier
// utterances never change, so a transcript already shown stays as it was.
#include <span>
#include <vector>

#include "transcribe/Mfcc.h"

namespace parley::transcribe {

struct TrackVoicesSettings {
  double newVoicePerFrame = 0.65;  // ΔBIC per frame above which it is someone else
  std::size_t minFrames = 150;     // shorter utterances cannot start a new voice
  std::size_t keepFrames = 6000;   // the last 60 s of each voice make its model
  int maxVoices = 8;
};

class TrackVoices {
 public:
  explicit TrackVoices(TrackVoicesSettings settings = {}) : settings_(settings) {}

  // The voice (1, 2, ...) of the track's next utterance, 16 kHz mono.
  int add(std::span<const float> samples);

 private:
  TrackVoicesSettings settings_;
  std::vector<std::vector<MfccFrame>> voices_;  // recent frames of each voice
  int last_ = 0;
};

}  // namespace parley::transcribe
