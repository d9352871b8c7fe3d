#pragma once
// One participant's media on a worker: a publishing transport with its producers and a
// subscribing transport with its consumers, plus the state of the subscriber's offer and
// answer. Its transports report to it; it hands packets to its Router.
#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cc/BandwidthEstimator.h"
#include "cc/ProbeCluster.h"
#include "cc/SendHistory.h"
#include "sfu/Consumer.h"
#include "sfu/Producer.h"
#include "sfu/SdpNegotiation.h"
#include "sfu/TwccRecorder.h"
#include "webrtc/Transport.h"

namespace parley::sfu {

class Router;

class MediaParticipant : public webrtc::Transport::Listener {
 public:
  MediaParticipant(Router& router, std::string id);
  ~MediaParticipant() override;

  const std::string& id() const { return id_; }

  // The producer and layer an SSRC (media or RTX) belongs to; producer null if none.
  struct ProducerLayerRef {
    Producer* producer = nullptr;
    int layer = -1;
  };
  ProducerLayerRef producerBySsrc(std::uint32_t ssrc);
  Producer* producerByMid(std::string_view mid);
  Consumer* consumerBySsrc(std::uint32_t ssrc);

  // Publishing side.
  std::unique_ptr<webrtc::Transport> publisher;
  std::vector<std::unique_ptr<Producer>> producers;
  std::map<std::string, TrackSource> sources;  // by mid, as the client labelled them
  PublisherExtensions extensions;
  TwccRecorder twcc;
  std::uint32_t rtcpSsrc = 0;  // ours, as the sender of RTCP to this participant
  std::uint64_t publishVersion = 0;

  // Subscribing side: one slot per m-line offered. A slot whose track ended stays, inactive,
  // until a new track of its kind takes it over (see Router::addConsumer), so the number of
  // m-lines follows the tracks there are, not all the tracks there ever were.
  std::unique_ptr<webrtc::Transport> subscriber;
  std::vector<std::unique_ptr<Consumer>> consumers;  // by slot; nullptr: the slot is free
  std::vector<ConsumerSlot> slots;
  bool offerOutstanding = false;  // waiting for the subscriber's answer
  bool renegotiate = false;       // something changed since the last offer
  std::size_t offeredSlots = 0;
  std::uint64_t subscribeVersion = 0;
  // The subscriber's downlink: every packet we send it carries a transport-wide sequence
  // number; its feedback drives the estimate that shares the downlink among its videos.
  // The next packet's transport-wide sequence number, big-endian as its extension carries
  // it; taken by noteSent() once the packet is on its way (a packet that could not be sent
  // leaves its number to the next).
  std::array<std::uint8_t, 2> nextTransportSeq() const {
    return {static_cast<std::uint8_t>(transportSeq >> 8), static_cast<std::uint8_t>(transportSeq)};
  }
  void noteSent(std::int64_t nowMicros, std::size_t rtpBytes, std::int8_t probeCluster = -1) {
    constexpr std::size_t kSrtpTagBytes = 10;  // on the wire besides the RTP packet
    sent.onSent(transportSeq++, nowMicros, static_cast<std::uint32_t>(rtpBytes + kSrtpTagBytes), probeCluster);
  }
  std::uint16_t transportSeq = 0;
  cc::SendHistory sent;
  cc::BandwidthEstimator downlink;
  bool downlinkFeedback = false;  // it sent transport-wide feedback: the estimate means something
  cc::ProbeCluster probe;

 private:
  void onRtp(webrtc::Transport& transport, std::uint8_t* data, std::size_t length) override;
  void onRtcp(webrtc::Transport& transport, std::uint8_t* data, std::size_t length) override;
  void onTransportConnected(webrtc::Transport& transport) override;
  void onTransportClosed(webrtc::Transport& transport, const std::string& reason) override;
  void onSendBacklogCleared(webrtc::Transport& transport) override;

  Router& router_;
  std::string id_;
};

}  // namespace parley::sfu
