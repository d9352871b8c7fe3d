#pragma once
// Open connections per client address, so one client cannot take every socket the server
// has. acquire() gives a ticket that counts as one connection until it is destroyed; the
// counts live as long as the last ticket, so a connection may outlive the server object.
// Control thread only (the HTTP front end's thread).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/LogThrottle.h"

namespace parley::http {

class ConnectionLimiter {
  using Counts = std::unordered_map<std::string, std::size_t>;

 public:
  explicit ConnectionLimiter(std::size_t perAddress) : perAddress_(perAddress) {}

  class Ticket {
   public:
    Ticket(std::shared_ptr<Counts> counts, std::string address)
        : counts_(std::move(counts)), address_(std::move(address)) {}
    ~Ticket() {
      const auto it = counts_->find(address_);
      if (it != counts_->end() && --it->second == 0) counts_->erase(it);
    }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

   private:
    std::shared_ptr<Counts> counts_;
    std::string address_;
  };

  // A ticket, or null when `address` holds as many connections as it may.
  std::unique_ptr<Ticket> acquire(const std::string& address) {
    const auto it = counts_->find(address);
    if (perAddress_ == 0 || (it != counts_->end() && it->second >= perAddress_)) {
      warnRefused(address);
      return nullptr;
    }
    ++(*counts_)[address];
    return std::make_unique<Ticket>(counts_, address);
  }
  std::size_t openFrom(const std::string& address) const {
    const auto it = counts_->find(address);
    return it == counts_->end() ? 0 : it->second;
  }

 private:
  // Many people behind one NAT address look like one client: say so where an operator looks,
  // at most once a minute, so a cap that is too low for a site is found before users call.
  void warnRefused(const std::string& address) {
    const auto held = refusalLog_.pass();
    if (!held) return;
    spdlog::warn("refused {} connection(s) from {} (and others) past {} per address; if many people share that "
                 "address, raise --max-connections-per-address",
                 *held + 1, address, perAddress_);
  }

  std::size_t perAddress_;
  LogThrottle refusalLog_{std::chrono::minutes(1)};
  std::shared_ptr<Counts> counts_ = std::make_shared<Counts>();
};

}  // namespace parley::http
