#pragma once
// What subscribers tell the SFU, and what it does about it: key frame requests (PLI, FIR)
// go to the track's producer; NACKs are answered from the producer's retransmission buffer,
// bounded per consumer (each packet once per round-trip time, the bytes within a share of
// the stream's, see Consumer); receiver reports give each consumer its round-trip time.
#include <cstdint>
#include <vector>

#include "rtp/Rtcp.h"
#include "sfu/MediaParticipant.h"
#include "sfu/MediaTypes.h"

namespace parley::sfu {

class SubscriberFeedback {
 public:
  // A NACK lists at most this many packets worth answering; the rest are ignored.
  static constexpr std::size_t kMaxNackedPerPacket = 64;

  explicit SubscriberFeedback(MediaCounters& counters) : counters_(counters) {
    scratchSeqs_.reserve(256);
    scratchBlocks_.reserve(31);
    scratchResults_.reserve(1024);
  }

  void onRtcp(MediaParticipant& subscriber, std::uint8_t* data, std::size_t length, std::int64_t nowMicros);

 private:
  void onTransportFeedback(MediaParticipant& subscriber, const rtp::RtcpPart& part, std::int64_t now);
  void onNack(MediaParticipant& subscriber, const rtp::RtcpPart& part, std::int64_t now);
  void retransmit(Consumer& consumer, webrtc::Transport& transport, std::uint16_t outSeq, std::int64_t now);

  MediaCounters& counters_;
  std::vector<std::uint16_t> scratchSeqs_;
  std::vector<rtp::ReportBlock> scratchBlocks_;
  std::vector<cc::PacketResult> scratchResults_;
};

}  // namespace parley::sfu
