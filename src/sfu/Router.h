#pragma once
// One room's media on one worker: who publishes what, who receives what, and the paths a
// packet takes between them. Runs on its worker's thread only, so it needs no locks.
// Signaling reaches it through commands the Worker posts; it answers with MediaEvents.
//
// What flows where has a class of its own: PublisherFeedback (NACKs, key frame requests,
// congestion feedback and reports toward publishers), SubscriberFeedback (key frame
// requests, NACKs and reports from subscribers), SubscriberReports (sender reports toward
// subscribers), and observers of audio producers (ActiveSpeaker, AudioTapForwarder). ICE
// consent is the transports' business, on the worker's clock. The router itself keeps the
// participants, their producers and consumers, the negotiation, and the packet path.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/ActiveSpeaker.h"
#include "sfu/AudioTap.h"
#include "sfu/AudioTapForwarder.h"
#include "sfu/RecordingForwarder.h"
#include "sfu/DownlinkAllocation.h"
#include "sfu/MediaParticipant.h"
#include "sfu/MediaTypes.h"
#include "sfu/PublisherFeedback.h"
#include "sfu/RemoteLinks.h"
#include "sfu/ShardLinks.h"
#include "sfu/SubscriberFeedback.h"
#include "sfu/SubscriberReports.h"
#include "webrtc/Transport.h"

namespace parley::sfu {

class Router;

// The worker's index of tracks piped in from other workers and cascaded from other nodes,
// for the packet path: by pipedKey(origin, pipe id). Pipe ids are unique in a process, so a
// local origin needs no more than the id; a remote shard numbers its own.
struct PipedTrack {
  Router* router;
  Producer* producer;
  std::uint8_t audioLevelExtension, orientationExtension;
  unsigned origin = 0;  // the worker (or remote shard) it comes from
};
using PipedTracks = std::unordered_map<std::uint64_t, PipedTrack>;
inline std::uint64_t pipedKey(unsigned origin, std::uint32_t pipeId) {
  return isRemoteLink(origin) ? (std::uint64_t{origin} << 32 | pipeId) : pipeId;
}

// A participant publishes at most this many tracks: camera, microphone, a screen and its sound.
inline constexpr std::size_t kMaxTracksPerParticipant = 4;

// Tracks cascaded between nodes are soft state: announced again this often, dropped when
// not heard of for this long.
inline constexpr std::int64_t kCascadeAnnounceMicros = 1000000;
inline constexpr std::int64_t kCascadeExpiryMicros = 5000000;

struct RouterContext {
  webrtc::TransportFactory& transports;
  std::string fingerprint;  // of the DTLS certificate, for SDP
  std::vector<std::string> announcedIps;  // host candidates' addresses, in order of preference
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
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Commands from signaling.
  void join(const std::string& participantId);
  void leave(const std::string& participantId);
  void publish(const std::string& participantId, const std::string& offer,
               const std::map<std::string, TrackSource>& sources);
  void subscriberAnswer(const std::string& participantId, const std::string& answer);
  // What the subscriber displays of its video tracks (by its m-line): sizes choose layers,
  // and a track not shown is paused.
  void showTracks(const std::string& participantId, const std::vector<ShownTrack>& shown);
  // Adds each subscriber with an estimated downlink to its bucket; returns their sum (bit/s).
  double countDownlinks(DownlinkCounts& counts) const;
  // Subscribers' video streams paused now: their tile is not shown.
  std::size_t countPausedVideos() const;
  // Microphones published here go to `tap` too (null: stop).
  void setAudioTap(std::shared_ptr<AudioTap> tap);
  // The room's recording, or null when it stops.
  void setRecordingTap(std::shared_ptr<RecordingTap> tap) { recording_.setTap(std::move(tap)); }
  bool recording() const { return recording_.recording(); }
  // The other workers hosting this room (and the shards on other nodes: RemoteLinks), and
  // whether this shard reports the active speaker (one shard does, for the whole room: on
  // a cluster, one of the room's home). That shard also taps and records the tracks
  // cascaded from other nodes, as their origin is on a node without the room's taps. New
  // peers are told of every local producer.
  void setPeers(std::vector<unsigned> peers, bool reportsSpeaker);

  // From the room's shards on other workers. A copy from another node is announced again
  // every kCascadeAnnounceMicros while it lives; one not heard of for kCascadeExpiryMicros
  // is dropped (its withdrawal was lost, or its node is gone).
  void addRemoteProducer(const RemoteProducerInfo& info);
  void removeRemoteProducer(unsigned origin, std::uint32_t pipeId);
  void onRemoteSenderReport(unsigned origin, std::uint32_t pipeId, int layer, const rtp::SenderInfo& info);
  void onRemoteKeyFrameRequest(std::uint32_t pipeId, int layer);
  void onPipedRtp(const PipedTrack& track, std::uint8_t* data, std::size_t length);

  // The worker's clock: feedback and reports, key frame wishes of piped tracks, speaker.
  void tick(std::int64_t nowMicros);
  bool empty() const { return participants_.empty(); }
  std::size_t participantCount() const { return participants_.size(); }
  // For tests and diagnostics: a participant's media state here, or null.
  const MediaParticipant* participant(const std::string& participantId) const;

  // From a participant's transports (the packet path).
  void onPublisherRtp(MediaParticipant& from, std::uint8_t* data, std::size_t length);
  void onPublisherRtcp(MediaParticipant& from, std::uint8_t* data, std::size_t length);
  void onSubscriberRtcp(MediaParticipant& to, std::uint8_t* data, std::size_t length);
  void onSubscriberConnected(MediaParticipant& participant);
  // The subscriber's congested path (ICE-TCP) dropped video and has drained: key frames.
  void onSubscriberDrained(MediaParticipant& participant);
  void onTransportClosed(MediaParticipant& participant, bool publisher, const std::string& reason);

 private:
  void requestKeyFrames(MediaParticipant& participant);
  MediaParticipant* find(const std::string& participantId);
  void addConsumer(MediaParticipant& subscriber, Producer& producer, const std::string& ownerId);
  void closeProducer(MediaParticipant& owner, Producer& producer);
  void dropConsumersOf(Producer& producer);
  // One incoming packet on its way to every consumer, parsed once.
  struct Outgoing {
    const rtp::RtpPacket& packet;
    int layer;
    bool keyFrame;
    const rtp::Vp8Descriptor* vp8;  // VP8 only
    std::uint32_t absSendTime;
    std::span<const std::uint8_t> orientation;
    std::int64_t now;
  };
  // Where a packet goes: `origin` for one from its publisher (not a piped copy), which the
  // room's recording takes too (copies are recorded at their origin).
  // `cascade` for a copy from another node, recorded by the shard that reports the speaker.
  enum class Arrival { Origin, Piped, Cascade };
  void fanOut(Producer& producer, int layer, const rtp::RtpPacket& packet, std::int64_t now,
              std::span<const std::uint8_t> orientation, Arrival arrival);
  MediaParticipant::ProducerLayerRef learnLayer(MediaParticipant& from, const rtp::RtpPacket& packet);
  void selectLayers(std::int64_t now);
  void allocateLayers(MediaParticipant& participant, std::int64_t now);
  // Tells a simulcast publisher to stop the layers above what any subscriber shows (after
  // kLayerOffDelay unneeded; never the first), and to send them again as soon as one needs them.
  void updatePublisherLayers(const MediaParticipant& owner, Producer& producer, std::int64_t now);
  int videoPriority(const Consumer& consumer) const;
  void sendProbe(MediaParticipant& participant, double targetBps, std::int64_t now);
  RemoteProducerInfo describe(const MediaParticipant& owner, const Producer& producer) const;
  void negotiate(MediaParticipant& participant);
  void forward(Consumer& consumer, webrtc::Transport& transport, const Outgoing& outgoing);
  void requestRemoteKeyFrames();
  // Announces local tracks again to remote shards, and drops copies no longer announced.
  void refreshCascade(std::int64_t now);
  void error(const std::string& participantId, const std::string& message);
  LocalTransport localTransport(const webrtc::Transport& transport, std::uint64_t version) const;

  RouterContext context_;
  std::string roomId_;
  // Before the participants: their producers are observed by these until they go.
  ActiveSpeaker speaker_;
  AudioTapForwarder tap_;
  AudioTapForwarder cascadeTap_;  // copies from other nodes: set on the speaker's shard only
  std::shared_ptr<AudioTap> audioTap_;
  RecordingForwarder recording_;
  PublisherFeedback publisherFeedback_;
  SubscriberFeedback subscriberFeedback_;
  SubscriberReports subscriberReports_;
  std::vector<std::unique_ptr<MediaParticipant>> participants_;
  std::int64_t lastSpeaker_ = 0, lastRemoteKeyFrames_ = 0, lastLayerSelection_ = 0;
  std::vector<unsigned> peers_;
  bool reportsSpeaker_ = true;
  struct RemoteProducer {
    RemoteProducerInfo info;
    std::unique_ptr<Producer> producer;
    std::int64_t announcedAt = 0;
  };
  std::int64_t lastCascadeRefresh_ = 0;
  std::vector<RemoteProducer> remote_;
  // Scratch for allocateLayers, kept to avoid allocating every pass.
  std::vector<VideoDemand> demands_;
  std::vector<Consumer*> videos_;
  std::vector<LayerChoice> chosen_;
};

}  // namespace parley::sfu
