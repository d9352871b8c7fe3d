#pragma once
// One producer's track as one subscriber receives it: its own SSRC (and RTX SSRC), its own
// sequence numbers, and whether it may forward yet (negotiated, connected, key frame seen).
#include <cstdint>
#include <string>

#include "sfu/Producer.h"

namespace parley::sfu {

class MediaParticipant;

class Consumer {
 public:
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
  void onSent(std::size_t payloadBytes, std::uint32_t timestamp) {
    ++packetsSent_;
    octetsSent_ += payloadBytes;
    lastTimestamp_ = timestamp;
  }
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
};

}  // namespace parley::sfu
