#pragma once
// Composites of finished recordings, rendered one at a time on a thread of their own (each
// render is an ffmpeg process at a low priority) from a bounded queue: a recording's state
// file says "pending", then "rendering" with the progress (updated every few percent), then
// "ready" with the composite's name, or "failed" with why (its tracks stay downloadable).
// Each end is reported to the control thread by room and recording id.
//
// Thread contract: submit() from any thread; `report` runs on the control thread (through
// `post`). The destructor cancels the render in progress and drops the queued ones: their
// state files say "pending", and the next start of the server queues them again
// (RecordingService::resumeRenders).
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "record/CompositeRenderer.h"

namespace parley::meeting {

struct RenderReport {
  std::string roomId, recordingId;
  bool ok = false;
  std::string error;
  double mediaSeconds = 0, wallSeconds = 0;
};

// Renders one recording's composite on the calling thread, keeping its state file up to date
// ("rendering" with the progress, then "ready" or "failed"): what the queue below does for
// each job, and `parley render-composite` for a recording whose render did not finish.
record::RenderResult renderRecordingComposite(const std::string& directory, const record::RenderSettings& settings,
                                              const std::atomic<bool>& cancelled,
                                              const std::function<void(double)>& progress = {});

class CompositeRenders {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using Report = std::function<void(const RenderReport&)>;
  static constexpr std::size_t kMaxQueued = 32;

  CompositeRenders(record::RenderSettings settings, Post post, Report report);
  ~CompositeRenders();
  CompositeRenders(const CompositeRenders&) = delete;
  CompositeRenders& operator=(const CompositeRenders&) = delete;

  // False when the queue is full (the state file then says the composite failed, and why).
  bool submit(const std::string& roomId, const std::string& recordingId, const std::string& directory);

 private:
  struct Job {
    std::string roomId, recordingId, directory;
  };
  void run();
  void render(const Job& job);

  record::RenderSettings settings_;
  Post post_;
  Report report_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace parley::meeting
