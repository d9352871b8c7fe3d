#include "transcribe/LiveTranscription.h"

#include "transcribe/AudioFileReader.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace parley::transcribe {

namespace {

double levelDb(const std::vector<float>& samples) {
  double energy = 0;
  for (float s : samples) energy += double(s) * s;
  return 10 * std::log10(energy / std::max<std::size_t>(1, samples.size()) + 1e-12);
}

}  // namespace

std::vector<std::size_t> bleedVictims(const std::vector<PendingUtterance>& u, double marginDb) {
  std::vector<std::size_t> victims;
  for (std::size_t i = 0; i < u.size(); ++i) {
    for (std::size_t j = 0; j < u.size(); ++j) {
      if (i == j || u[i].track == u[j].track) continue;
      const double overlap = std::min(u[i].segment.end, u[j].segment.end) - std::max(u[i].segment.start, u[j].segment.start);
      const double shorter = std::min(u[i].segment.end - u[i].segment.start, u[j].segment.end - u[j].segment.start);
      if (overlap >= 0.5 * shorter && u[j].levelDb >= u[i].levelDb + marginDb) {
        victims.push_back(i);
        break;
      }
    }
  }
  return victims;
}

LiveTranscription::LiveTranscription(RecognizerFactory factory, Sink sink, LiveSettings settings)
    : settings_(settings), sink_(std::move(sink)) {
  for (unsigned i = 0; i < std::max(1u, settings_.threads); ++i) {
    threads_.emplace_back([this, recognizer = factory()]() mutable { work(std::move(recognizer)); });
  }
}

LiveTranscription::~LiveTranscription() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void LiveTranscription::push(const std::string& trackId, double at, std::span<const float> samples) {
  auto [it, inserted] = tracks_.try_emplace(trackId);
  Track& track = it->second;
  if (!inserted && at < track.next - 0.01) return;  // late (reordered) audio: its moment has passed
  if (inserted || at - track.next > 5.0) {
    // A new track, or a long gap (muted, reconnected): start its clock afresh.
    if (track.segmenter) track.segmenter->finish();
    track.segmenter = std::make_unique<SpeechSegmenter>(
        [this, trackId, &track](SpeechSegment&& s) {
          s.start += track.origin;
          s.end += track.origin;
          const double level = levelDb(s.samples);
          pending_.push_back({trackId, std::move(s), level, now_});
        },
        settings_.segmenter);
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

void LiveTranscription::settle(double now, bool all) {
  if (pending_.empty()) return;
  // Judge bleed among everything pending and what was released in the last seconds (the
  // louder original may already be on its way), then release what has waited long enough.
  std::erase_if(recent_, [&](const PendingUtterance& r) { return now - r.segment.end > 10.0; });
  std::vector<PendingUtterance> judged;
  for (const auto& p : pending_) judged.push_back({p.track, SpeechSegment{p.segment.start, p.segment.end, {}}, p.levelDb, p.finishedAt});
  judged.insert(judged.end(), recent_.begin(), recent_.end());
  auto victims = bleedVictims(judged, settings_.bleedMarginDb);
  std::vector<PendingUtterance> keep;
  std::vector<PendingUtterance> release;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    const bool settled = all || now - pending_[i].finishedAt >= settings_.settleSeconds;
    if (!settled) {
      keep.push_back(std::move(pending_[i]));
    } else if (std::find(victims.begin(), victims.end(), i) != victims.end()) {
      bleed_++;
    } else {
      recent_.push_back({pending_[i].track, SpeechSegment{pending_[i].segment.start, pending_[i].segment.end, {}},
                         pending_[i].levelDb, pending_[i].finishedAt});
      release.push_back(std::move(pending_[i]));
    }
  }
  pending_ = std::move(keep);
  if (release.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& u : release) {
      if (queue_.size() >= settings_.maxQueued) {
        dropped_++;
        continue;
      }
      queue_.push_back(std::move(u));
    }
  }
  ready_.notify_all();
}

void LiveTranscription::flush() {
  for (auto& [id, track] : tracks_) track.segmenter->finish();
  settle(now_, true);
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && busy_ == 0; });
}

void LiveTranscription::work(std::unique_ptr<Recognizer> recognizer) {
  // Recognition may wait; forwarding media may not: yield the CPU to the media threads.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (;;) {
    PendingUtterance utterance;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) return;
      utterance = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    LiveSegment segment;
    try {
      segment.words = recognizer->recognize(utterance.segment.samples);
    } catch (const RecognizerError&) {
      segment.words.clear();
    }
    for (auto& w : segment.words) {
      w.start += utterance.segment.start;
      w.end += utterance.segment.start;
    }
    for (const auto& w : segment.words) segment.text += (segment.text.empty() ? "" : " ") + w.word;
    segment.track = utterance.track;
    segment.start = segment.words.empty() ? utterance.segment.start : segment.words.front().start;
    segment.end = segment.words.empty() ? utterance.segment.end : segment.words.back().end;
    if (!segment.text.empty()) {
      recognized_++;
      sink_(std::move(segment));
    }
    {
      std::lock_guard lock(mutex_);
      --busy_;
    }
    idle_.notify_all();
  }
}

}  // namespace parley::transcribe
