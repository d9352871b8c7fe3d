#pragma once
// The server's recognizers: a fixed number of recognition threads shared by every live
// transcription, each holding one recognizer (a PocketSphinx decoder is tens of MB) that it
// makes only when it first has an utterance to decode and hands back after a while without
// one. A bounded queue holds utterances waiting for a free thread; past it, submit() refuses
// and the caller drops the utterance. So memory and threads are bounded by the server's
// settings, not by how many rooms ask for transcription.
//
// Thread contract: submit() and cancel() from any thread. A job runs on a pool thread with
// that thread's recognizer; it must return when its owner cancels it (owners signal their
// own jobs, see LiveTranscription). The pool must outlive every owner's jobs: owners cancel
// and wait for theirs before they go.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "transcribe/Recognizer.h"

namespace parley::transcribe {

struct RecognizerPoolSettings {
  unsigned threads = 2;
  std::size_t maxQueued = 16;  // utterances waiting for a thread, all owners together
  std::chrono::milliseconds releaseIdle{60000};  // a recognizer unused this long is freed
};

class RecognizerPool {
 public:
  using Factory = std::function<std::unique_ptr<Recognizer>()>;
  using Job = std::function<void(Recognizer&)>;

  RecognizerPool(Factory factory, RecognizerPoolSettings settings = {});
  ~RecognizerPool();
  RecognizerPool(const RecognizerPool&) = delete;
  RecognizerPool& operator=(const RecognizerPool&) = delete;

  // Queues `job` for `owner`; false if the queue is full (nothing queued then).
  bool submit(const void* owner, Job job);
  // Removes `owner`'s jobs that have not started; returns how many.
  std::size_t cancel(const void* owner);
  // Has up to `count` recognizers made ahead of speech (a transcription is starting, and
  // loading a model takes a second), if idle threads lack them. Freed again when idle.
  void warm(unsigned count);

  // For metrics: recognizers alive now, threads decoding now, jobs waiting.
  std::size_t recognizers() const;
  std::size_t busy() const;
  std::size_t queued() const;
  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
  std::uint64_t failures() const;  // recognizers that could not be made

 private:
  struct Queued {
    const void* owner;
    Job job;
  };
  void work();

  Factory factory_;
  RecognizerPoolSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> queue_;
  std::size_t recognizers_ = 0, busy_ = 0;
  unsigned warmWanted_ = 0;
  std::uint64_t failures_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace parley::transcribe
