#pragma once
// One producer's track as one subscriber receives it: its own SSRC (and RTX SSRC), its own
// sequence numbers, whether it may forward yet (negotiated, connected, key frame seen), and
// what bounds its retransmissions: each sequence number at most once per round-trip time
// (measured from the subscriber's receiver reports), and all of them together at most a
// share of the bytes the stream itself carries. A subscriber's NACKs can thus cost the
// server a little more than its stream, never a multiple of it.
#include <array>
#include <cstdint>
#include <string>

#include "rtp/Rtcp.h"
#include "sfu/Producer.h"

namespace parley::sfu {

class MediaParticipant;

class Consumer {
 public:
  // Retransmitted bytes may be at most this share of the bytes forwarded, plus a burst.
  static constexpr double kRetransmitShare = 0.5;
  static constexpr double kMaxRetransmitBurst = 256 * 1024;
  static constexpr std::int64_t kDefaultRttMicros = 200000;  // until the subscriber reports

  // `subscriber` receives this consumer's packets (null only in tests of the state).
  Consumer(Producer& producer, MediaParticipant* subscriber, std::string mid, std::uint32_t ssrc,
           std::uint32_t rtxSsrc);

  Producer& producer() { return producer_; }
  MediaParticipant& subscriber() { return *subscriber_; }
  const std::string& mid() const { return mid_; }
  std::uint32_t ssrc() const { return ssrc_; }
  std::uint32_t rtxSsrc() const { return rtxSsrc_; }

  // The subscriber answered an offer with this consumer in it.
  void setNegotiated() { negotiated_ = true; }
  bool negotiated() const { return negotiated_; }

  // Sequence number for an incoming one, or false if this packet must not go out yet
  // (video waits for a key frame, so the subscriber's decoder starts clean).
  bool admit(const rtp::RtpPacket& packet, bool keyFrame, std::uint16_t& outSeq);
  // The outgoing sequence number of a packet already forwarded (for NACKs), or false.
  bool mapNackedSequence(std::uint16_t outSeq, std::uint16_t& inSeq) const;
  std::uint16_t nextRtxSequence() { return rtxSeq_++; }
  void onSent(std::size_t payloadBytes, std::uint32_t timestamp);

  // Whether a NACKed packet of `bytes` may be resent now; if so, counts it as resent.
  // False for the same sequence number within a round-trip time, or past the budget.
  bool mayResend(std::uint16_t outSeq, std::size_t bytes, std::int64_t nowMicros);

  // Round-trip time from our sender reports and the subscriber's receiver reports.
  void onSenderReportSent(std::uint64_t ntp, std::int64_t nowMicros);
  void onReceiverReport(const rtp::ReportBlock& block, std::int64_t nowMicros);
  std::int64_t rttMicros() const { return rtt_; }

  std::uint32_t packetsSent() const { return packetsSent_; }
  std::uint32_t octetsSent() const { return octetsSent_; }

 private:
  Producer& producer_;
  MediaParticipant* subscriber_;
  std::string mid_;
  std::uint32_t ssrc_, rtxSsrc_;
  bool negotiated_ = false;
  bool started_ = false;
  // Outgoing = incoming + offset: continuous even though this consumer joined mid-stream.
  std::uint16_t seqOffset_ = 0;
  std::uint16_t firstInSeq_ = 0;
  std::uint16_t rtxSeq_ = 0;
  std::uint32_t packetsSent_ = 0, octetsSent_ = 0, lastTimestamp_ = 0;
  // When each recent sequence number was last resent (milliseconds, wrapping).
  struct Resent {
    std::uint16_t seq = 0;
    bool used = false;
    std::uint32_t atMillis = 0;
  };
  std::array<Resent, 128> resent_{};
  double retransmitBudget_ = 0;  // bytes
  // Our last sender reports: the middle 32 bits of their NTP time, and when they left.
  struct SentReport {
    std::uint32_t compactNtp = 0;
    std::int64_t at = 0;
  };
  std::array<SentReport, 4> reports_{};
  std::size_t nextReport_ = 0;
  std::int64_t rtt_ = kDefaultRttMicros;
  bool rttMeasured_ = false;
};

}  // namespace parley::sfu
