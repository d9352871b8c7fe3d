#include "transcribe/RecognizerPool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace parley::transcribe {

RecognizerPool::RecognizerPool(Factory factory, RecognizerPoolSettings settings)
    : factory_(std::move(factory)), settings_(settings) {
  for (unsigned i = 0; i < std::max(1u, settings_.threads); ++i) threads_.emplace_back([this] { work(); });
}

RecognizerPool::~RecognizerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

bool RecognizerPool::submit(const void* owner, Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= settings_.maxQueued) return false;
    queue_.push_back({owner, std::move(job)});
  }
  wake_.notify_one();
  return true;
}

std::size_t RecognizerPool::cancel(const void* owner) {
  std::deque<Queued> cancelled;  // destroyed outside the lock: jobs own their captures
  std::lock_guard lock(mutex_);
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->owner == owner) {
      cancelled.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  return cancelled.size();
}

void RecognizerPool::warm(unsigned count) {
  {
    std::lock_guard lock(mutex_);
    const std::size_t missing = threads_.size() - recognizers_;
    warmWanted_ = static_cast<unsigned>(std::min<std::size_t>(count, missing));
  }
  wake_.notify_all();
}

std::size_t RecognizerPool::recognizers() const {
  std::lock_guard lock(mutex_);
  return recognizers_;
}

std::size_t RecognizerPool::busy() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

std::size_t RecognizerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::uint64_t RecognizerPool::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}

void RecognizerPool::work() {
  // Recognition may wait; forwarding media may not: yield the CPU to the media threads.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  std::unique_ptr<Recognizer> recognizer;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      const bool woken = wake_.wait_for(lock, settings_.releaseIdle, [&] {
        return stopping_ || !queue_.empty() || (warmWanted_ > 0 && !recognizer);
      });
      if (stopping_) break;
      if (woken && queue_.empty() && warmWanted_ > 0 && !recognizer) {
        --warmWanted_;
        lock.unlock();
        std::unique_ptr<Recognizer> made;
        try {
          made = factory_();
        } catch (const std::exception&) {
        }
        lock.lock();
        if (made) {
          recognizer = std::move(made);
          ++recognizers_;
        } else {
          ++failures_;
        }
        continue;
      }
      if (!woken) {
        // Idle for a while: give the recognizer's memory back until speech comes again.
        if (recognizer) {
          lock.unlock();
          recognizer.reset();
          lock.lock();
          --recognizers_;
        }
        continue;
      }
      job = std::move(queue_.front().job);
      queue_.pop_front();
      ++busy_;
    }
    if (!recognizer) {
      try {
        recognizer = factory_();
      } catch (const std::exception&) {
        recognizer.reset();
      }
      std::lock_guard lock(mutex_);
      if (recognizer) ++recognizers_;
      else ++failures_;
    }
    if (recognizer) job(*recognizer);
    job = nullptr;  // its captures go before the owner may be told it is done
    std::lock_guard lock(mutex_);
    --busy_;
  }
  if (recognizer) {
    recognizer.reset();
    std::lock_guard lock(mutex_);
    --recognizers_;
  }
}

}  // namespace parley::transcribe
