#include "sfu/SubscriberReports.h"

#include <chrono>

#include "net/UdpSocket.h"
#include "rtp/Rtcp.h"

namespace parley::sfu {

namespace {
constexpr std::int64_t kReportIntervalMicros = 1000000;
}

void SubscriberReports::tick(std::vector<std::unique_ptr<MediaParticipant>>& participants, std::int64_t now) {
  if (now - last_ < kReportIntervalMicros) return;
  last_ = now;
  using namespace std::chrono;
  const std::int64_t wall = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  for (auto& p : participants) {
    if (p->subscriber && p->subscriber->connected()) report(*p, now, wall);
  }
}

void SubscriberReports::report(MediaParticipant& p, std::int64_t now, std::int64_t) {
  for (auto& consumer : p.consumers) {
    if (!consumer || consumer->packetsSent() == 0) continue;
    // The layer being sent gives the clock mapping, shifted as its timestamps are.
    const int layer = consumer->currentLayer();
    if (layer == kNoLayer) continue;
    auto& stats = consumer->producer().layer(static_cast<std::size_t>(layer)).stats;
    if (!stats.hasSenderReport()) continue;
    const auto& sr = stats.lastSenderReport();
    const std::int64_t elapsed = now - stats.lastSenderReportArrival();
    rtp::SenderInfo info;
    info.ssrc = consumer->ssrc();
    // Advance the sender's NTP-to-RTP mapping by the time since its report.
    const std::uint64_t srNtpMicros =
        ((sr.ntp >> 32) - 2208988800ull) * 1000000 + (((sr.ntp & 0xFFFFFFFF) * 1000000) >> 32);
    info.ntp = rtp::ntpFromUnixMicros(srNtpMicros + static_cast<std::uint64_t>(elapsed));
    info.rtpTimestamp = sr.rtpTimestamp + consumer->timestampOffset() +
                        static_cast<std::uint32_t>(elapsed * consumer->producer().codec().clockRate / 1000000);
    info.packetCount = consumer->packetsSent();
    info.octetCount = consumer->octetsSent();
    std::uint8_t* out = p.subscriber->sendBuffer();
    const std::size_t length = rtp::writeSenderReport(out, info);
    if (p.subscriber->sendRtcp(out, length, net::kMaxDatagram)) consumer->onSenderReportSent(info.ntp, now);
  }
}

}  // namespace parley::sfu
