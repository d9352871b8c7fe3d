#pragma once
// Voice activity detection on a stream: 10 ms frames compared with a noise floor that
// follows the recording, with onset and hangover, so pauses inside a sentence do not cut
// it and clicks do not start one. Emits each utterance with its audio, at most 20 s long.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace parley::transcribe {

struct SpeechSegment {
  double start = 0;  // seconds from the start of the stream
  double end = 0;
  std::vector<float> samples;  // 16 kHz mono
};

struct SegmenterSettings {
  double thresholdDb = 15.0;     // above the noise floor
  double absoluteFloorDb = -80;  // never speech below this (dBFS): quiet rooms are quiet
  int onsetFrames = 4;           // speech frames among the last 8 to start
  int hangoverFrames = 40;       // silent frames that end an utterance (400 ms)
  int paddingFrames = 15;        // audio kept before the onset (150 ms)
  double minSeconds = 0.3;
  double maxSeconds = 20.0;
  // Keep each frame's decision and level for the diarizer. Live use turns it off: a meeting
  // of hours would grow them for nothing.
  bool recordFrames = true;
};

// For live use: an utterance's audio as it is spoken, before the segment is complete, so a
// streaming recognizer can work while the person talks. `started` gets the start time and
// the audio from there up to the onset decision; `audio` gets each later 10 ms frame.
// Utterance frames within `reach` frames of one at most `belowPeakDb` under the utterance's
// loudest: the utterances without their padding, hangover and inner pauses, which is what
// "who spoke when" counts as speech. `reach` 0 keeps the utterances as they are.
std::vector<std::uint8_t> tightenSpeech(const std::vector<std::uint8_t>& decisions, const std::vector<float>& levels,
                                        int reach, double belowPeakDb);

struct SpeechProgress {
  std::function<void(double start, std::span<const float> samples)> started;
  std::function<void(std::span<const float> samples)> audio;
  std::function<void()> discarded;  // what started was too short to be an utterance
};

class SpeechSegmenter {
 public:
  using Sink = std::function<void(SpeechSegment&&)>;

  explicit SpeechSegmenter(Sink sink, SegmenterSettings settings = {}, SpeechProgress progress = {});

  void feed(std::span<const float> samples);
  // Ends the stream: an utterance in progress is emitted.
  void finish();

  // Per-frame speech decisions so far (for the diarizer), one per 10 ms.
  const std::vector<std::uint8_t>& frameDecisions() const { return decisions_; }
  // Each frame's level (dBFS), for the diarizer's tighter idea of speech.
  const std::vector<float>& frameLevels() const { return levels_; }

 private:
  void processFrame(const float* frame);
  void emit(std::size_t endFrame);

  Sink sink_;
  SegmenterSettings settings_;
  SpeechProgress progress_;
  std::vector<float> pending_;       // samples not yet a full frame
  std::vector<float> history_;       // audio of the current utterance (and padding)
  std::size_t historyStartFrame_ = 0;
  std::size_t frame_ = 0;
  double floorDb_ = 0;
  bool floorSet_ = false;
  bool inSpeech_ = false;
  std::size_t speechStartFrame_ = 0;
  int silentRun_ = 0;
  std::vector<std::uint8_t> recent_;  // last 8 raw decisions
  std::vector<std::uint8_t> decisions_;
  std::vector<float> levels_;
};

}  // namespace parley::transcribe
