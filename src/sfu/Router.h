#pragma once
// One room's media on one worker: who publishes what, who receives what, and the paths a
// packet takes between them. Runs on its worker's thread only, so it needs no locks.
// Signaling reaches it through commands the Worker posts; it answers with MediaEvents.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/AudioTap.h"
#include "sfu/MediaParticipant.h"
#include "sfu/MediaTypes.h"
#include "sfu/ShardLinks.h"

namespace parley::webrtc {
class WebRtcServer;
}
namespace parley::dtls {
class Certificate;
}

namespace parley::sfu {

class Router;

// The worker's index of tracks piped in from other workers, for the packet path.
struct PipedTrack {
  Router* router;
  Producer* producer;
  std::uint8_t audioLevelExtension, orientationExtension;
};
using PipedTracks = std::unordered_map<std::uint32_t, PipedTrack>;

struct RouterContext {
  webrtc::WebRtcServer& server;
  std::shared_ptr<dtls::Certificate> certificate;
  std::string announcedIp;
  MediaCounters& counters;
  std::function<void(MediaEvent)> emit;  // to the control plane
  // A room can span workers: this router is then one shard of it (see ShardLinks).
  unsigned worker = 0;
  ShardLinks* links = nullptr;
  PipedTracks* piped = nullptr;
};

class Router {
 public:
  Router(RouterContext context, std::string roomId);
  ~Router();

  // Commands from signaling.
  void join(const std::string& participantId);
  void leave(const std::string& participantId);
  void publish(const std::string& participantId, const std::string& offer,
               const std::map<std::string, TrackSource>& sources);
  void subscriberAnswer(const std::string& participantId, const std::string& answer);
  // Microphones go to `tap` too (null: stop). The tap must outlive its use here.
  void setAudioTap(std::shared_ptr<AudioTap> tap) { audioTap_ = std::move(tap); }
  // The other workers hosting this room, and whether this shard reports the active speaker
  // (one shard does, for the whole room). New peers are told of every local producer.
  void setPeers(std::vector<unsigned> peers, bool reportsSpeaker);

  // From the room's shards on other workers.
  void addRemoteProducer(const RemoteProducerInfo& info);
  void removeRemoteProducer(std::uint32_t pipeId);
  void onRemoteSenderReport(std::uint32_t pipeId, const rtp::SenderInfo& info);
  void onRemoteKeyFrameRequest(std::uint32_t pipeId);
  void onPipedRtp(const PipedTrack& track, std::uint8_t* data, std::size_t length);

  // The worker's clock: reports, feedback, retransmission requests, consent.
  void tick(std::int64_t nowMicros);
  bool empty() const { return participants_.empty(); }
  std::size_t participantCount() const { return participants_.size(); }

  // From a participant's transports (the packet path).
  void onPublisherRtp(MediaParticipant& from, std::uint8_t* data, std::size_t length);
  void onPublisherRtcp(MediaParticipant& from, std::uint8_t* data, std::size_t length);
  void onSubscriberRtcp(MediaParticipant& to, std::uint8_t* data, std::size_t length);
  void onSubscriberConnected(MediaParticipant& participant);
  void onTransportClosed(MediaParticipant& participant, bool publisher, const std::string& reason);

  // Simulcast layer selection and downlink bandwidth estimation belong here, per consumer,
  // between admit() and the write in forward(): a later step.

 private:
  MediaParticipant* find(const std::string& participantId);
  std::unique_ptr<webrtc::WebRtcTransport> createTransport(MediaParticipant& participant);
  void addConsumer(MediaParticipant& subscriber, Producer& producer, const std::string& ownerId);
  void closeProducer(MediaParticipant& owner, Producer& producer);
  void dropConsumersOf(Producer& producer);
  void fanOut(Producer& producer, const rtp::RtpPacket& packet, std::int64_t now,
              std::span<const std::uint8_t> orientation);
  RemoteProducerInfo describe(const MediaParticipant& owner, const Producer& producer) const;
  void negotiate(MediaParticipant& participant);
  void forward(Consumer& consumer, webrtc::WebRtcTransport& transport, const rtp::RtpPacket& packet,
               bool keyFrame, std::uint32_t absSendTime, std::span<const std::uint8_t> orientation);
  void retransmit(Consumer& consumer, webrtc::WebRtcTransport& transport, std::uint16_t outSeq, std::int64_t now);
  void sendReports(std::int64_t now);
  void sendFeedback(std::int64_t now);
  void requestRetransmissions(std::int64_t now);
  void updateActiveSpeaker();
  void error(const std::string& participantId, const std::string& message);
  LocalTransport localTransport(const webrtc::WebRtcTransport& transport, std::uint64_t version) const;

  RouterContext context_;
  std::string roomId_;
  std::vector<std::unique_ptr<MediaParticipant>> participants_;
  std::int64_t lastFeedback_ = 0, lastNack_ = 0, lastReport_ = 0, lastSpeaker_ = 0;
  std::string activeSpeaker_;
  std::shared_ptr<AudioTap> audioTap_;
  std::vector<unsigned> peers_;
  bool reportsSpeaker_ = true;
  struct RemoteProducer {
    RemoteProducerInfo info;
    std::unique_ptr<Producer> producer;
  };
  std::vector<RemoteProducer> remote_;
  std::vector<std::uint16_t> scratchSeqs_;  // reused, no allocation per tick
  std::vector<rtp::ReportBlock> scratchBlocks_;
};

}  // namespace parley::sfu
