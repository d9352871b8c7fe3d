#include "store/PendingWrites.h"

#include <spdlog/spdlog.h>

#include "store/Database.h"

namespace parley::store {

void PendingWrites::noteError(const char* what, const std::string& message) {
  ++counters_.errors;
  const auto held = errorLog_.pass();
  if (!held) return;
  if (*held > 0) {
    spdlog::error("database error ({}): {} ({} more since the last report)", what, message, *held);
  } else {
    spdlog::error("database error ({}): {}", what, message);
  }
}

bool PendingWrites::run(const char* what, std::function<void()> write) {
  // Keep the order: while older writes wait, a new one waits behind them.
  if (queue_.empty()) {
    try {
      write();
      return true;
    } catch (const StoreError& e) {
      noteError(what, e.what());
    }
  }
  if (queue_.size() >= capacity_) {
    queue_.pop_front();
    ++counters_.writesDropped;
  }
  queue_.push_back({what, std::move(write)});
  return false;
}

std::size_t PendingWrites::retry() {
  while (!queue_.empty()) {
    try {
      queue_.front().write();
    } catch (const StoreError& e) {
      noteError(queue_.front().what, e.what());
      break;
    }
    queue_.pop_front();
    if (queue_.empty()) spdlog::info("database writable again: every kept write is done");
  }
  return queue_.size();
}

}  // namespace parley::store
