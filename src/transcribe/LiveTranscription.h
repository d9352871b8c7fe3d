#pragma once
// Live speech of several tracks (one per participant) turned into final segments: each
// track has its own speech detection; finished utterances wait a moment for overlapping
// ones on other tracks, where a voice that leaked from a loudspeaker into another
// microphone is dropped (the louder track keeps the words); then a bounded pool of
// threads recognizes them. If recognition falls behind, utterances are dropped and
// counted, never queued without limit.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "transcribe/Recognizer.h"
#include "transcribe/SpeechSegmenter.h"

namespace parley::transcribe {

struct LiveSegment {
  std::string track;
  double start = 0;  // seconds since the transcription started
  double end = 0;
  std::string text;
  std::vector<Word> words;
  double latency = 0;  // seconds from the end of the utterance to this segment
};

struct LiveSettings {
  unsigned threads = 2;          // PocketSphinx decoders: about 40 MB each
  std::size_t maxQueued = 16;   // utterances waiting for a recognizer
  double settleSeconds = 0.3;   // wait for overlapping utterances before judging bleed
  double bleedMarginDb = 6.0;   // louder by this much keeps the words
  SegmenterSettings segmenter;
};

struct PendingUtterance {
  std::string track;
  SpeechSegment segment;
  double levelDb = 0;
  double finishedAt = 0;  // transcription clock
};

// The bleed rule on its own (exposed for tests): indices of utterances to drop because a
// simultaneous utterance on another track is louder by at least `marginDb` and overlaps
// at least half of the quieter one.
std::vector<std::size_t> bleedVictims(const std::vector<PendingUtterance>& utterances, double marginDb);

class LiveTranscription {
 public:
  using RecognizerFactory = std::function<std::unique_ptr<Recognizer>()>;
  using Sink = std::function<void(LiveSegment&&)>;  // called from recognition threads

  LiveTranscription(RecognizerFactory factory, Sink sink, LiveSettings settings = {});
  ~LiveTranscription();

  // Audio of `track` from the time `at` (seconds since the transcription started), 16 kHz
  // mono. From one thread (the decoder). Gaps in time are filled with silence; audio from
  // before what the track already has is dropped.
  void push(const std::string& track, double at, std::span<const float> samples);
  // Ends every utterance in progress and waits until all are recognized.
  void flush();

  std::uint64_t droppedUtterances() const { return dropped_.load(); }
  std::uint64_t bleedDropped() const { return bleed_.load(); }
  std::uint64_t recognized() const { return recognized_.load(); }

 private:
  struct Track {
    std::unique_ptr<SpeechSegmenter> segmenter;
    double origin = 0;  // transcription time of the segmenter's zero
    double next = 0;    // transcription time of the next expected sample
  };
  void settle(double now, bool all);
  void work(std::unique_ptr<Recognizer> recognizer);

  LiveSettings settings_;
  Sink sink_;
  std::map<std::string, Track> tracks_;
  std::vector<PendingUtterance> pending_;  // decoder thread only
  std::vector<PendingUtterance> recent_;   // released lately, without audio: for the bleed rule
  double now_ = 0;

  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable idle_;
  std::deque<PendingUtterance> queue_;
  std::size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> dropped_{0}, bleed_{0}, recognized_{0};
};

}  // namespace parley::transcribe
