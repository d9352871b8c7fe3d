#pragma once
// Finding out whether a path carries more than we send: a burst of padding packets (a probe
// cluster) leaves at once; how fast it arrives (its bytes over the time between its first and
// last arrival) is what the bottleneck lets through, up to the rate we wanted to try. The
// receiver's feedback reports each packet; once all are reported, onReported() gives the
// rate the path carried, if enough of the burst arrived to trust it.
// When to probe: only when the estimate holds back what the receiver wants to see, not within
// kCalmMicros of the estimate going down (a burst into a queue that just pushed back costs
// the receiver's media), and after a probe that found nothing more, half as often, down to
// once every kMaxIntervalMicros: a path that frees up (a cap lifted, a download that ended)
// is found within that, at the cost of one 7.6 KB burst per interval to a limited receiver.
#include <algorithm>
#include <cstdint>
#include <optional>

namespace parley::cc {

class ProbeCluster {
 public:
  static constexpr int kPackets = 30;
  static constexpr std::int64_t kMinIntervalMicros = 2000000, kMaxIntervalMicros = 8000000;
  static constexpr std::int64_t kTimeoutMicros = 2000000;
  static constexpr std::int64_t kCalmMicros = 5000000;

  // Whether to send a probe now: the estimate limits what is wanted, and the last probe is
  // long enough ago (or was never answered).
  bool due(std::int64_t nowMicros, bool limited, std::int64_t lastDecreaseMicros) const {
    if (!limited) return false;
    if (lastDecreaseMicros >= 0 && nowMicros - lastDecreaseMicros < kCalmMicros) return false;
    if (active_ && nowMicros - startedAt_ < kTimeoutMicros) return false;
    return nowMicros - startedAt_ >= interval_;
  }

  // A new cluster, trying `targetBps`; returns its id for the packets' history entries.
  std::int8_t start(double targetBps, std::int64_t nowMicros) {
    id_ = static_cast<std::int8_t>((id_ + 1) % 100);
    active_ = true;
    target_ = targetBps;
    startedAt_ = nowMicros;
    reported_ = received_ = 0;
    bytes_ = firstBytes_ = 0;
    firstArrival_ = lastArrival_ = -1;
    return id_;
  }

  // Feedback on one packet of cluster `id`: its size and arrival (-1: lost). Returns the
  // probed rate once the whole cluster is reported and enough of it came.
  std::optional<double> onReported(std::int8_t id, std::uint32_t bytes, std::int64_t arrivalMicros) {
    if (!active_ || id != id_) return std::nullopt;
    ++reported_;
    if (arrivalMicros >= 0) {
      ++received_;
      if (firstArrival_ < 0 || arrivalMicros < firstArrival_) {
        firstArrival_ = arrivalMicros;
        firstBytes_ = bytes;
      }
      lastArrival_ = std::max(lastArrival_, arrivalMicros);
      bytes_ += bytes;
    }
    if (reported_ < kPackets) return std::nullopt;
    active_ = false;
    // Most of the burst must arrive: a path that drops it carries no more than we send.
    if (received_ < kPackets * 8 / 10) return 0.0;
    const std::int64_t span = lastArrival_ - firstArrival_;
    const double rate = span > 0 ? static_cast<double>(bytes_ - firstBytes_) * 8e6 / static_cast<double>(span) : target_;
    return std::min(rate, target_);
  }

  // What the last probe found: more than `estimateBps` keeps probing soon; nothing more makes
  // the next one wait twice as long.
  void found(double probedBps, double estimateBps) {
    interval_ = probedBps > estimateBps ? kMinIntervalMicros : std::min(kMaxIntervalMicros, interval_ * 2);
  }

 private:
  std::int8_t id_ = 0;
  bool active_ = false;
  double target_ = 0;
  std::int64_t startedAt_ = -kMaxIntervalMicros;
  std::int64_t interval_ = kMinIntervalMicros;
  int reported_ = 0, received_ = 0;
  std::uint64_t bytes_ = 0, firstBytes_ = 0;
  std::int64_t firstArrival_ = -1, lastArrival_ = -1;
};

}  // namespace parley::cc
