#pragma once
// Meeting summaries by a language model, written on a thread of the service's own from a
// bounded queue, one at a time (a model server is shared and slow; a summary takes seconds
// to minutes). Every change of a job (started, a failed attempt about to be retried, a step
// done, finished or failed) is reported to the control thread, addressed by transcription
// id: nothing here knows rooms, the store or the protocol.
//
// Thread contract: submit(), queued() and renderMetrics() on any thread; `report` runs on
// the control thread (through `post`). The destructor cancels the job in progress (at its
// next backoff or request) and drops the queued ones.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "summary/Summarizer.h"

namespace parley::meeting {

struct SummaryJob {
  std::int64_t transcriptionId = 0;
  std::string roomId;
  std::string title;     // the meeting's name, for the document's heading
  std::string language;  // the transcript's
  std::vector<summary::TranscriptLine> lines;
};

struct SummaryReport {
  enum class State { Running, Retrying, Done, Failed };
  std::int64_t transcriptionId = 0;
  std::string roomId;
  State state = State::Running;
  std::string error;  // Retrying and Failed: why
  int attempts = 0;   // requests that failed so far, in this job
  summary::SummaryProgress progress;
  std::string markdown, json;  // Done
};

struct SummaryServiceSettings {
  std::size_t maxQueued = 16;
  summary::SummarizerSettings summarizer;
};

class SummaryService {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using Report = std::function<void(const SummaryReport&)>;
  // Asks the model; `onFailedAttempt` is called with the error before each retry.
  using Complete = std::function<std::string(const std::vector<summary::ChatMessage>&, const std::atomic<bool>& cancelled,
                                             const std::function<void(const std::string&)>& onFailedAttempt)>;

  SummaryService(Complete complete, Post post, Report report, SummaryServiceSettings settings = {});
  ~SummaryService();
  SummaryService(const SummaryService&) = delete;
  SummaryService& operator=(const SummaryService&) = delete;

  // False when the queue is full (the caller says so; nothing is dropped silently).
  bool submit(SummaryJob job);
  std::size_t queued() const;
  std::string renderMetrics() const;

 private:
  void run();
  void summarize(SummaryJob& job);
  void send(SummaryReport report);

  Complete complete_;
  Post post_;
  Report report_;
  SummaryServiceSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<SummaryJob> queue_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> done_{0}, failed_{0}, refused_{0}, requestsFailed_{0};
  std::thread thread_;
};

}  // namespace parley::meeting
