#pragma once
// Live speech of several tracks (one per participant) turned into captions: each track has
// its own speech detection; an utterance goes to a RecognizerPool (the server's, shared by
// every room) as soon as it starts, and is decoded while it is spoken (partial captions), so
// its final words come right after it ends. A finished utterance waits a moment for
// overlapping ones on other tracks, where a voice that leaked from a loudspeaker into
// another microphone is dropped (the louder track keeps the words). If recognition falls
// behind, utterances are dropped and counted, never queued without limit.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "transcribe/BleedRule.h"
#include "transcribe/Recognizer.h"
#include "transcribe/RecognizerPool.h"
#include "transcribe/SpeechSegmenter.h"
#include "transcribe/TrackVoices.h"

namespace parley::transcribe {

struct LiveSegment {
  std::string track;
  int voice = 0;  // with diarizeTracks, which of the track's voices (1, 2, ...); else 0
  bool partial = false;  // the words so far of an utterance in progress
  double start = 0;  // seconds since the transcription started
  double end = 0;
  std::string text;
  std::vector<Word> words;
  double latency = 0;  // seconds from the arrival of the utterance's last audio to this segment
};

struct LiveSettings {
  // For a transcription with a pool of its own (tests, tools): its threads and queue. A
  // server shares one pool between rooms instead (see RecognizerPool).
  unsigned threads = 2;          // PocketSphinx decoders: about 40 MB each
  std::size_t maxQueued = 16;   // utterances waiting for a recognizer
  double settleSeconds = 0.3;   // wait for overlapping utterances before judging bleed
  BleedSettings bleed;
  double partialSeconds = 0.5;  // new speech between two partial captions
  double silentAfterSeconds = 1.0;  // a track without audio this long is silent (DTX, left)
  bool diarizeTracks = false;   // split each track into voices (shared microphones)
  SegmenterSettings segmenter;
};

class LiveTranscription {
 public:
  using RecognizerFactory = std::function<std::unique_ptr<Recognizer>()>;
  using Sink = std::function<void(LiveSegment&&)>;  // called from recognition threads

  // With a pool of its own, of settings.threads recognizers.
  LiveTranscription(RecognizerFactory factory, Sink sink, LiveSettings settings = {});
  // With a pool shared with other transcriptions; it must outlive this one.
  LiveTranscription(std::shared_ptr<RecognizerPool> pool, Sink sink, LiveSettings settings = {});
  ~LiveTranscription();

  // Audio of `track` from the time `at` (seconds since the transcription started), 16 kHz
  // mono. From one thread (the decoder). Gaps in time are filled with silence; audio from
  // before what the track already has is dropped.
  void push(const std::string& track, double at, std::span<const float> samples);
  // The transcription clock has reached `now` (from the decoder thread, when no audio
  // comes): tracks that sent nothing for a while are silent, so their utterances can end.
  void advance(double now);
  // Ends every utterance in progress and waits until all are recognized, or until
  // `deadline` has passed: then what is still being recognized is abandoned (and counted as
  // dropped). Returns false if something was abandoned.
  bool flush(std::chrono::steady_clock::duration deadline = std::chrono::hours(1));

  std::uint64_t droppedUtterances() const { return dropped_.load(); }
  std::uint64_t bleedDropped() const { return bleed_.load(); }
  std::uint64_t recognized() const { return recognized_.load(); }

 private:
  enum class Verdict { Pending, Keep, Drop };
  // One utterance, from its onset on the decoder thread to its words on a recognition
  // thread. `audio`, `ended`, `end` and `verdict` are guarded by mutex_.
  struct Utterance {
    std::string track;
    double start = 0, end = 0;  // transcription clock
    std::vector<float> audio;
    UtteranceSketch sketch;  // for the bleed rule (decoder thread)
    double energy = 0;       // sum of squares (decoder thread)
    bool ended = false;
    double endedAt = 0;  // transcription clock when it ended (decoder thread)
    std::chrono::steady_clock::time_point endHeard;  // when its last audio came in
    Verdict verdict = Verdict::Pending;
    std::atomic<bool> drowned{false};  // seems a leak of a louder track: no partials
    void hear(std::span<const float> samples);  // adds to the sketch (decoder thread)
  };
  struct Track {
    std::unique_ptr<SpeechSegmenter> segmenter;
    double origin = 0;  // transcription time of the segmenter's zero
    double next = 0;    // transcription time of the next expected sample
    double lag = 0;     // added to the times the track's audio comes with (see push)
    bool silenced = false;  // advance() filled silence since its last audio
    std::shared_ptr<Utterance> current;  // being spoken (null if dropped or none)
  };
  void feedTrack(const std::string& id, Track& track, std::span<const float> samples);
  void begin(const std::string& trackId, Track& track, double start, std::span<const float> samples);
  void settle(double now, bool everything);
  void recognize(Recognizer& recognizer, Utterance& utterance);
  void jobDone();
  int voiceOf(const std::string& track, std::span<const float> samples);

  LiveSettings settings_;
  Sink sink_;
  std::map<std::string, Track> tracks_;
  std::vector<std::shared_ptr<Utterance>> ended_;  // awaiting the bleed verdict (decoder thread)
  std::vector<UtteranceSketch> recent_;           // kept lately, for the bleed rule
  double now_ = 0;
  double drownedCheckedAt_ = 0;

  std::shared_ptr<RecognizerPool> pool_;
  std::mutex mutex_;
  std::condition_variable changed_;  // audio, an end, a verdict or stop
  std::condition_variable idle_;
  std::size_t outstanding_ = 0;  // utterances handed to the pool whose job has not gone yet
  std::mutex voicesMutex_;
  std::map<std::string, TrackVoices> voices_;
  bool stopping_ = false;  // recognition abandoned: jobs return at once
  std::atomic<std::uint64_t> dropped_{0}, bleed_{0}, recognized_{0};
};

}  // namespace parley::transcribe
