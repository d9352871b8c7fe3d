#include "meeting/CompositeRenders.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "meeting/RecordingStateFile.h"

namespace parley::meeting {

CompositeRenders::CompositeRenders(record::RenderSettings settings, Post post, Report report)
    : settings_(std::move(settings)), post_(std::move(post)), report_(std::move(report)),
      thread_([this] { run(); }) {}

CompositeRenders::~CompositeRenders() {
  stopping_ = true;
  changed_.notify_all();
  thread_.join();
}

bool CompositeRenders::submit(const std::string& roomId, const std::string& recordingId, const std::string& directory) {
  auto state = readRecordingState(directory).value_or(recordingState("stopped", 0));
  {
    const std::lock_guard lock(mutex_);
    if (queue_.size() < kMaxQueued) {
      queue_.push_back({roomId, recordingId, directory});
      state.render = "pending";
      writeRecordingState(directory, state);
      changed_.notify_all();
      return true;
    }
  }
  state.render = "failed";
  state.renderError = "too many composites waiting to be rendered; the tracks are kept";
  writeRecordingState(directory, state);
  return false;
}

void CompositeRenders::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    render(job);
  }
}

record::RenderResult renderRecordingComposite(const std::string& directory, const record::RenderSettings& settings,
                                              const std::atomic<bool>& cancelled,
                                              const std::function<void(double)>& progress) {
  auto state = readRecordingState(directory).value_or(recordingState("stopped", 0));
  state.render = "rendering";
  state.renderProgress = 0;
  writeRecordingState(directory, state);
  double written = 0;
  const auto result = record::renderComposite(
      directory, settings,
      [&](double fraction) {
        if (progress) progress(fraction);
        if (fraction - written < 0.05) return;  // every 5%: the state file is not a log
        written = fraction;
        state.renderProgress = fraction;
        writeRecordingState(directory, state);
      },
      cancelled);
  state.render = result.output.empty() ? "failed" : "ready";
  state.renderProgress = result.output.empty() ? written : 1.0;
  state.composite = result.output;
  state.renderError = result.error;
  if (result.output.empty() && cancelled.load()) {
    // Cancelled by the server's shutdown, not failed: the next start renders it again.
    state.render = "pending";
    state.renderProgress = 0;
    state.renderError.clear();
  }
  writeRecordingState(directory, state);
  return result;
}

void CompositeRenders::render(const Job& job) {
  const auto result = renderRecordingComposite(job.directory, settings_, stopping_);
  if (result.output.empty()) {
    spdlog::warn("recording {} of room {}: no composite: {}", job.recordingId, job.roomId, result.error);
  } else {
    spdlog::info("recording {} of room {}: composite of {:.0f} s rendered in {:.1f} s", job.recordingId, job.roomId,
                 result.mediaSeconds, result.wallSeconds);
  }
  RenderReport report{job.roomId, job.recordingId, !result.output.empty(), result.error, result.mediaSeconds,
                      result.wallSeconds};
  if (post_ && report_) post_([callback = report_, report] { callback(report); });
}

}  // namespace parley::meeting
