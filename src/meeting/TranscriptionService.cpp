#include "meeting/TranscriptionService.h"

#include <algorithm>

#include "common/Prometheus.h"

namespace parley::meeting {

TranscriptionService::TranscriptionService(sfu::MediaService* media,
                                           std::shared_ptr<transcribe::RecognizerPool> recognizers,
                                           Post postToControl, SegmentSink sink, transcribe::LiveSettings settings,
                                           TranscriptionLimits limits)
    : media_(media),
      recognizers_(std::move(recognizers)),
      post_(std::move(postToControl)),
      sink_(std::move(sink)),
      settings_(settings),
      limits_(limits),
      retirer_([this] { retireLoop(); }) {}

TranscriptionService::~TranscriptionService() {
  drain();
  {
    std::lock_guard lock(retireMutex_);
    stopping_ = true;
  }
  retireChanged_.notify_all();
  retirer_.join();
}

TranscriptionService::StartResult TranscriptionService::start(const std::string& roomId,
                                                              std::int64_t transcriptionId) {
  if (active_.count(roomId)) return StartResult::AlreadyRunning;
  if (active_.size() >= limits_.maxRooms) return StartResult::Full;
  // Recognition threads hand segments over by ids; the control thread looks the room up.
  auto deliver = [post = post_, sink = sink_, roomId, transcriptionId](transcribe::LiveSegment&& segment) {
    post([sink, roomId, transcriptionId, segment = std::move(segment)] { sink(roomId, transcriptionId, segment); });
  };
  auto transcriber = std::make_shared<RoomTranscriber>(recognizers_, std::move(deliver), counters_, settings_);
  if (media_) media_->setAudioTap(roomId, transcriber);
  active_.emplace(roomId, Active{std::move(transcriber), transcriptionId});
  // A model takes a second to load: have two ready before the first words.
  recognizers_->warm(2);
  return StartResult::Started;
}

void TranscriptionService::stop(const std::string& room) {
  const std::string roomId = room;  // `room` may be the key erased below (drain passes it)
  const auto it = active_.find(roomId);
  if (it == active_.end()) return;
  if (media_) media_->setAudioTap(roomId, nullptr);
  {
    std::lock_guard lock(retireMutex_);
    retiring_.push_back({std::move(it->second.transcriber), roomId, it->second.transcriptionId});
  }
  active_.erase(it);
  retireChanged_.notify_all();
}

void TranscriptionService::drain(std::chrono::steady_clock::duration budget) {
  {
    std::lock_guard lock(retireMutex_);
    drainBy_ = std::chrono::steady_clock::now() + budget;
  }
  while (!active_.empty()) stop(active_.begin()->first);
  std::unique_lock lock(retireMutex_);
  retireChanged_.wait(lock, [this] { return retiring_.empty() && finishing_ == 0; });
  drainBy_.reset();
}

void TranscriptionService::retireLoop() {
  std::unique_lock lock(retireMutex_);
  for (;;) {
    retireChanged_.wait(lock, [this] { return stopping_ || !retiring_.empty(); });
    if (retiring_.empty()) return;  // stopping, nothing left
    Retiring retired = std::move(retiring_.front());
    retiring_.pop_front();
    auto transcriber = std::move(retired.transcriber);
    ++finishing_;
    auto deadline = limits_.finishDeadline;
    if (drainBy_) deadline = std::max(std::chrono::steady_clock::duration::zero(),
                                      std::min(deadline, *drainBy_ - std::chrono::steady_clock::now()));
    lock.unlock();
    // A media worker may still hold the tap until it has seen the detach; the transcriber
    // ignores packets once stopped, so whoever drops it last frees only memory.
    transcriber->stop(deadline);
    transcriber.reset();
    // Posted after the transcriber's last segments, so it reaches the control thread after them.
    if (finished_) {
      post_([finished = finished_, roomId = std::move(retired.roomId), id = retired.transcriptionId] {
        finished(roomId, id);
      });
    }
    lock.lock();
    --finishing_;
    retireChanged_.notify_all();
  }
}

std::string TranscriptionService::renderMetrics() const {
  PrometheusText out;
  out.gauge("parley_transcriptions_active", "Rooms being transcribed now.", active_.size());
  out.gauge("parley_transcriptions_max", "Rooms that may be transcribed at once (--max-transcriptions).",
            limits_.maxRooms);
  out.gauge("parley_recognizers", "Recognizers in memory (made when speech comes, freed when idle).",
            recognizers_->recognizers());
  out.gauge("parley_recognizers_busy", "Recognizers decoding an utterance now.", recognizers_->busy());
  out.gauge("parley_recognition_queue", "Utterances waiting for a free recognizer.", recognizers_->queued());
  out.counter("parley_recognizer_failures_total", "Recognizers that could not be made (their utterance is dropped).",
              recognizers_->failures());
  out.counter("parley_transcript_segments_total", "Final transcript segments.", counters_.segments.load());
  out.counter("parley_transcription_packets_dropped_total", "Audio packets the transcriber could not take in time.",
              counters_.packetsDropped.load());
  out.counter("parley_transcription_utterances_dropped_total",
              "Utterances dropped because recognition fell behind.", counters_.utterancesDropped.load());
  out.counter("parley_transcription_utterances_leaked_total",
              "Utterances dropped as a louder participant's voice leaking into this microphone.",
              counters_.utterancesLeaked.load());
  out.family("parley_caption_latency_seconds", "summary", "From the end of an utterance to its final caption.");
  out.sample("parley_caption_latency_seconds_sum", {}, counters_.latencyMicrosTotal.load() / 1e6);
  out.sample("parley_caption_latency_seconds_count", {}, counters_.segments.load());
  return out.str();
}

}  // namespace parley::meeting
