#include "meeting/SummaryService.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/Prometheus.h"

namespace parley::meeting {

SummaryService::SummaryService(Complete complete, Post post, Report report, SummaryServiceSettings settings)
    : complete_(std::move(complete)),
      post_(std::move(post)),
      report_(std::move(report)),
      settings_(settings),
      thread_([this] { run(); }) {}

SummaryService::~SummaryService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  thread_.join();
}

bool SummaryService::submit(SummaryJob job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= settings_.maxQueued) {
      refused_++;
      return false;
    }
    queue_.push_back(std::move(job));
  }
  changed_.notify_one();
  return true;
}

std::size_t SummaryService::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void SummaryService::run() {
  // Waiting on a model is no reason to take CPU from media.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (;;) {
    SummaryJob job;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    summarize(job);
  }
}

void SummaryService::summarize(SummaryJob& job) {
  SummaryReport base;
  base.transcriptionId = job.transcriptionId;
  base.roomId = job.roomId;
  send(base);  // Running
  int failures = 0;
  summary::SummaryProgress progress;
  auto ask = [&](const std::vector<summary::ChatMessage>& messages) {
    return complete_(messages, stopping_, [&](const std::string& error) {
      ++failures;
      requestsFailed_++;
      SummaryReport retrying = base;
      retrying.state = SummaryReport::State::Retrying;
      retrying.error = error;
      retrying.attempts = failures;
      retrying.progress = progress;
      send(std::move(retrying));
    });
  };
  const summary::Summarizer summarizer(ask, settings_.summarizer);
  SummaryReport result = base;
  try {
    const auto summary = summarizer.summarize(job.lines, job.language, [&](const summary::SummaryProgress& p) {
      progress = p;
      SummaryReport step = base;
      step.progress = p;
      step.attempts = failures;
      send(std::move(step));
    });
    result.state = SummaryReport::State::Done;
    result.markdown = summary::summaryMarkdown(summary, job.title);
    result.json = summary::summaryJson(summary).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    done_++;
  } catch (const std::exception& e) {
    result.state = SummaryReport::State::Failed;
    result.error = e.what();
    failed_++;
  }
  result.attempts = failures;
  result.progress = progress;
  if (!stopping_) send(std::move(result));
}

void SummaryService::send(SummaryReport report) {
  post_([report = std::move(report), sink = report_] { sink(report); });
}

std::string SummaryService::renderMetrics() const {
  PrometheusText out;
  out.gauge("parley_summaries_queued", "Meeting summaries waiting for the language model.", queued());
  out.counter("parley_summaries_done_total", "Meeting summaries written.", done_.load());
  out.counter("parley_summaries_failed_total", "Meeting summaries given up after their retries.", failed_.load());
  out.counter("parley_summaries_refused_total", "Meeting summaries refused because the queue was full.",
              refused_.load());
  out.counter("parley_summary_requests_failed_total", "Requests to the language model that failed (then retried).",
              requestsFailed_.load());
  return out.str();
}

}  // namespace parley::meeting
