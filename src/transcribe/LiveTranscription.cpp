#include "transcribe/LiveTranscription.h"

#include "transcribe/AudioFileReader.h"

#include <algorithm>
#include <cmath>

namespace parley::transcribe {

void LiveTranscription::Utterance::hear(std::span<const float> samples) {
  for (float v : samples) energy += double(v) * v;
  for (std::size_t i = 0; i + 160 <= samples.size(); i += 160) sketch.envelope.push_back(frameLevelDb(samples.data() + i));
  const double samplesSoFar = static_cast<double>(sketch.envelope.size()) * 160;
  sketch.levelDb = 10 * std::log10(energy / std::max(1.0, samplesSoFar) + 1e-12);
}

LiveTranscription::LiveTranscription(RecognizerFactory factory, Sink sink, LiveSettings settings)
    : LiveTranscription(std::make_shared<RecognizerPool>(std::move(factory),
                                                         RecognizerPoolSettings{settings.threads, settings.maxQueued}),
                        std::move(sink), settings) {}

LiveTranscription::LiveTranscription(std::shared_ptr<RecognizerPool> pool, Sink sink, LiveSettings settings)
    : settings_(settings), sink_(std::move(sink)), pool_(std::move(pool)) {
  settings_.segmenter.recordFrames = false;  // nobody diarizes the whole track afterwards
}

LiveTranscription::~LiveTranscription() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  pool_->cancel(this);  // jobs not started go now; the running ones see stopping_ and return
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return outstanding_ == 0; });
}

void LiveTranscription::jobDone() {
  std::lock_guard lock(mutex_);
  --outstanding_;
  idle_.notify_all();  // under the lock: the destructor may be waiting to free this
}

void LiveTranscription::push(const std::string& trackId, double at, std::span<const float> samples) {
  auto [it, inserted] = tracks_.try_emplace(trackId);
  Track& track = it->second;
  at += track.lag;
  if (!inserted && at < track.next - 0.01) {
    if (!track.silenced) return;  // late (reordered) audio: its moment has passed
    // The track was taken for silent while its audio was only delayed: it comes later
    // than its clock says from now on, rather than lost.
    track.lag += track.next - at;
    at = track.next;
  }
  track.silenced = false;
  if (inserted || at - track.next > 5.0) {
    // A new track, or a long gap (muted, reconnected): start its clock afresh.
    if (track.segmenter) track.segmenter->finish();
    SpeechProgress progress;
    progress.started = [this, trackId, &track](double start, std::span<const float> audio) {
      begin(trackId, track, track.origin + start, audio);
    };
    progress.audio = [this, &track](std::span<const float> audio) {
      if (!track.current) return;
      Utterance& u = *track.current;
      u.hear(audio);
      std::size_t before = 0, after = 0;
      {
        std::lock_guard lock(mutex_);
        before = u.audio.size();
        u.audio.insert(u.audio.end(), audio.begin(), audio.end());
        after = u.audio.size();
      }
      // Wake the recognizer every 100 ms of speech, not every frame.
      if (before / 1600 != after / 1600) changed_.notify_all();
    };
    progress.discarded = [this, &track] {
      if (!track.current) return;
      {
        std::lock_guard lock(mutex_);
        track.current->ended = true;
        track.current->verdict = Verdict::Drop;
      }
      track.current.reset();
      changed_.notify_all();
    };
    track.segmenter = std::make_unique<SpeechSegmenter>(
        [this, &track](SpeechSegment&& s) {
          auto u = std::move(track.current);
          if (!u) return;  // dropped when it started
          {
            std::lock_guard lock(mutex_);
            u->ended = true;
            u->end = track.origin + s.end;
          }
          u->sketch.end = u->end;
          u->endedAt = now_;
          // The segmenter knows the end once the hangover has passed.
          const auto hangover = std::chrono::milliseconds(10 * (settings_.segmenter.hangoverFrames - 10));
          u->endHeard = std::chrono::steady_clock::now() - hangover;
          ended_.push_back(std::move(u));
          changed_.notify_all();
        },
        settings_.segmenter, std::move(progress));
    track.origin = at;
    track.next = at;
  } else if (at > track.next + 0.03) {
    // A short gap (lost packets, DTX): silence keeps the clock right.
    const std::vector<float> silence(static_cast<std::size_t>((at - track.next) * kSampleRate), 0.0f);
    track.segmenter->feed(silence);
    track.next = at;
  }
  track.segmenter->feed(samples);
  track.next += static_cast<double>(samples.size()) / kSampleRate;
  now_ = std::max(now_, track.next);
  settle(now_, false);
}

void LiveTranscription::advance(double now) {
  const double silentUntil = now - settings_.silentAfterSeconds / 2;
  for (auto& [id, track] : tracks_) {
    if (!track.segmenter || now - track.next < settings_.silentAfterSeconds) continue;
    // At most a second at a time: the clock catches up over a few calls.
    const double upTo = std::min(silentUntil, track.next + 1.0);
    const std::vector<float> silence(static_cast<std::size_t>((upTo - track.next) * kSampleRate), 0.0f);
    track.segmenter->feed(silence);
    track.next += static_cast<double>(silence.size()) / kSampleRate;
    track.silenced = true;
  }
  now_ = std::max(now_, now);
  settle(now_, false);
}

void LiveTranscription::begin(const std::string& trackId, Track& track, double start, std::span<const float> samples) {
  auto u = std::make_shared<Utterance>();
  u->track = trackId;
  u->start = start;
  u->audio.assign(samples.begin(), samples.end());
  u->sketch.track = trackId;
  u->sketch.start = start;
  u->sketch.end = start;
  u->hear(samples);
  // The job holds a ticket: however it ends (run, cancelled, dropped by the pool), the
  // ticket's end tells this transcription that one fewer job refers to it.
  struct Ticket {
    explicit Ticket(LiveTranscription* o) : owner(o) {}
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { owner->jobDone(); }
    LiveTranscription* owner;
  };
  {
    std::lock_guard lock(mutex_);
    ++outstanding_;
  }
  auto ticket = std::make_shared<Ticket>(this);
  const bool queued = pool_->submit(this, [this, u, ticket](Recognizer& recognizer) { recognize(recognizer, *u); });
  if (!queued) {
    dropped_++;
    track.current.reset();
    return;
  }
  track.current = std::move(u);
}

void LiveTranscription::settle(double now, bool everything) {
  std::erase_if(recent_, [&](const UtteranceSketch& r) { return now - r.end > 10.0; });
  std::vector<Utterance*> speaking;
  for (auto& [id, track] : tracks_) {
    if (!track.current) continue;
    track.current->sketch.end = track.current->start + track.current->sketch.envelope.size() / 100.0;
    speaking.push_back(track.current.get());
  }
  // A leak of what is said on another track: now, lately, or just ended.
  const auto isLeak = [&](const UtteranceSketch& sketch) {
    const auto of = [&](const UtteranceSketch& other) { return leaked(sketch, other, settings_.bleed); };
    return std::any_of(speaking.begin(), speaking.end(), [&](const Utterance* o) { return of(o->sketch); }) ||
           std::any_of(recent_.begin(), recent_.end(), of) ||
           std::any_of(ended_.begin(), ended_.end(), [&](const auto& o) { return of(o->sketch); });
  };
  // Twice a second, utterances in progress that look like leaks stop showing partial lines.
  if (speaking.size() > 1 && now - drownedCheckedAt_ >= settings_.partialSeconds) {
    drownedCheckedAt_ = now;
    for (Utterance* u : speaking)
      if (isLeak(u->sketch)) u->drowned = true;
  }
  if (ended_.empty()) return;

  std::vector<std::shared_ptr<Utterance>> waiting;
  bool decided = false;
  for (auto& u : ended_) {
    // Wait a moment for an overlapping utterance on another track to end as well.
    if (!everything && now - u->endedAt < settings_.settleSeconds) {
      waiting.push_back(u);
      continue;
    }
    const bool leak = isLeak(u->sketch);
    decided = true;
    std::lock_guard lock(mutex_);
    if (leak) {
      u->verdict = Verdict::Drop;
      bleed_++;
    } else {
      u->verdict = Verdict::Keep;
      recent_.push_back(u->sketch);
    }
  }
  ended_ = std::move(waiting);
  if (decided) changed_.notify_all();
}

bool LiveTranscription::flush(std::chrono::steady_clock::duration deadline) {
  for (auto& [id, track] : tracks_) track.segmenter->finish();
  settle(now_, true);
  std::unique_lock lock(mutex_);
  if (idle_.wait_for(lock, deadline, [this] { return outstanding_ == 0; })) return true;
  // Out of time: what is left is abandoned, and counted as dropped.
  stopping_ = true;
  dropped_ += outstanding_;
  lock.unlock();
  changed_.notify_all();
  pool_->cancel(this);
  lock.lock();
  idle_.wait(lock, [this] { return outstanding_ == 0; });
  return false;
}

void LiveTranscription::recognize(Recognizer& recognizer, Utterance& u) {
  const auto partialStep = static_cast<std::size_t>(settings_.partialSeconds * kSampleRate);
  std::vector<float> chunk;
  std::size_t fed = 0, partialAt = 0;
  std::string shown;  // the partial text on screen, if any
  std::vector<Word> words;
  Verdict verdict = Verdict::Pending;
  try {
    recognizer.beginUtterance(u.track);
    // Decode the audio as it comes, until the utterance ends or is dropped.
    for (bool ended = false; !ended;) {
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || u.audio.size() > fed || u.ended; });
        if (stopping_) return;
        chunk.assign(u.audio.begin() + static_cast<long>(fed), u.audio.end());
        fed = u.audio.size();
        ended = u.ended;
        verdict = u.verdict;
      }
      if (verdict == Verdict::Drop) break;
      recognizer.feed(chunk);
      if (!ended && fed - partialAt >= partialStep && !u.drowned) {
        partialAt = fed;
        std::string text = recognizer.partialText();
        if (!text.empty() && text != shown) {
          shown = text;
          LiveSegment partial;
          partial.track = u.track;
          partial.partial = true;
          partial.start = u.start;
          partial.end = u.start + static_cast<double>(fed) / kSampleRate;
          partial.text = std::move(text);
          sink_(std::move(partial));
        }
      }
    }
    words = recognizer.endUtterance();
  } catch (const RecognizerError&) {
    words.clear();  // the recognizer said what failed when it gave up; the meeting goes on
  }
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || u.verdict != Verdict::Pending; });
    if (stopping_) return;
    verdict = u.verdict;
  }
  LiveSegment segment;
  segment.track = u.track;
  if (verdict == Verdict::Keep) {
    for (auto& w : words) {
      w.start += u.start;
      w.end += u.start;
      segment.text += (segment.text.empty() ? "" : " ") + w.word;
    }
    segment.words = std::move(words);
  }
  segment.start = segment.words.empty() ? u.start : segment.words.front().start;
  segment.end = segment.words.empty() ? u.end : segment.words.back().end;
  if (!segment.text.empty()) {
    if (settings_.diarizeTracks) segment.voice = voiceOf(u.track, u.audio);
    segment.latency = std::chrono::duration<double>(std::chrono::steady_clock::now() - u.endHeard).count();
    recognized_++;
    sink_(std::move(segment));
  } else if (!shown.empty()) {
    sink_(std::move(segment));  // no words after all: an empty final takes the partial line away
  }
}

int LiveTranscription::voiceOf(const std::string& track, std::span<const float> samples) {
  std::lock_guard lock(voicesMutex_);
  return voices_[track].add(samples);
}

}  // namespace parley::transcribe
