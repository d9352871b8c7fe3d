#pragma once
// One synthetic participant of the load generator: Parley's own WebRTC stack in the client
// role (controlling ICE agent, DTLS client, SRTP) behind a signaling WebSocket. A publisher
// sends the synthetic Opus and VP8 (at their real rates, or slower: MediaRates); a
// subscriber answers the server's offers, decrypts what it receives, checks sequence
// continuity per stream, sends NACKs for gaps, a PLI when a video stream starts and receiver
// reports every second, and measures the delay from send to receive (each payload carries
// its layer and send time in its last 8 bytes). A participant of a meeting does both, on two
// transports, as a browser does.
// With simulcast a publisher sends its video in three layers (a SIM group, RTX per layer).
// A subscriber answers with the server's transport-wide CC extension and sends feedback
// every 100 ms, as a browser does, so the server estimates its downlink; capDownlink puts a
// bottleneck (DownlinkBottleneck) in front of it.
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "DownlinkBottleneck.h"
#include "SessionSignaling.h"
#include "SyntheticMedia.h"
#include "dtls/Certificate.h"
#include "sdp/SessionDescription.h"
#include "sfu/TwccRecorder.h"
#include "webrtc/WebRtcServer.h"

namespace parley::bench {

// Everything the participants measured; one io_context thread writes it.
struct LoadStats {
  std::uint64_t packetsSent = 0, bytesSent = 0;
  std::uint64_t packetsReceived = 0, bytesReceived = 0, retransmissionsReceived = 0;
  std::uint64_t lost = 0;  // missing at the end, after retransmissions
  std::uint64_t expected = 0;
  std::uint64_t streamsReceived = 0;  // inbound streams (a track to a subscriber) with media, at the end
  std::uint64_t nacksSent = 0, plisSent = 0;
  std::uint64_t nacksReceived = 0, retransmissionsSent = 0;
  std::uint64_t droppedOnPurpose = 0;  // the simulated loss of video packets (--loss)
  std::vector<std::uint32_t> delayMicros;  // one sample per media packet received while measuring
  std::uint64_t bytesMeasured = 0;         // their RTP bytes (after SRTP), while measuring
  std::vector<double> joinToFirstPacketMs;
  std::vector<std::string> failures;
  std::array<std::uint64_t, 3> layerBytesSent{};  // video bytes publishers sent per layer, while measuring
  bool measuring = false;  // only packets received while measuring count
};

// What one subscriber saw of its video, while measuring (for capped ones and the others).
struct ReceiveQuality {
  std::uint64_t framesDecoded = 0;  // frames whose every packet had arrived (retransmissions count)
  std::int64_t longestFreezeMicros = 0;  // the longest time between two decodable frames
  std::uint64_t bottleneckPackets = 0, bottleneckDrops = 0;  // what reached its cap, what the cap dropped
  std::int64_t cappedAtMicros = -1;  // when capDownlink was called (steady clock)
  std::int64_t lastDropMicros = -1;  // the cap's last drop
  std::int64_t firstSmallestMicros = -1;  // the first packet of the smallest layer after the cap
  std::array<std::uint64_t, 3> layerBytes{};  // video bytes received per layer
  std::uint64_t expected = 0, lost = 0;  // its packets, after retransmissions (finish())
};

// How often a publisher sends: real rates by default (Opus every 20 ms, 30 frames a second).
struct MediaRates {
  std::chrono::microseconds audioInterval{20000};
  double videoFps = 30;
};

struct ParticipantOptions {
  double lossFraction = 0;  // the share of video packets dropped each way, as a lossy link would
  MediaRates rates;
  bool iceTcp = false;
  bool simulcast = false;  // a publisher sends three video layers
};

class LoadParticipant : private webrtc::Transport::Listener {
 public:
  enum class Role { Publisher, Subscriber, Both };

  // Media leaves from `bindTo` (127.0.0.1, or the script's own veth for a server in a
  // network namespace).
  LoadParticipant(boost::asio::io_context& io, Role role, const SyntheticMedia& media,
                  std::shared_ptr<dtls::Certificate> certificate, LoadStats& stats, std::uint32_t seed,
                  const net::Address& bindTo, const ParticipantOptions& options = {});
  ~LoadParticipant() override;

  void join(std::unique_ptr<SessionSignaling> signaling);
  void leave();
  // Stops sending media (the measurement is over); everything else goes on.
  void stopSending();
  // Its media flows: the publishing transport is up (a subscriber: the receiving one).
  bool connected() const {
    const auto& t = role_ == Role::Subscriber ? receiver_ : sender_;
    return t && t->connected();
  }
  bool publishes() const { return role_ != Role::Subscriber; }
  bool receives() const { return role_ != Role::Publisher; }
  // Ends the measurement: counts what is still missing as lost.
  void finish();
  // The measurement starts and ends: a freeze counts from the start, and one still going at
  // the end counts too.
  void startMeasurement();
  void endMeasurement();
  // From now on its downlink carries at most `bitsPerSecond` (a 200 ms queue, then drops).
  void capDownlink(double bitsPerSecond);
  bool capped() const { return cap_.has_value(); }
  // The largest video layer received in the last second (-1: none), of any stream.
  int recentLayer() const;
  const ReceiveQuality& quality() const { return quality_; }
  // Inbound streams that have had media so far.
  std::size_t streamsWithMedia() const {
    std::size_t n = 0;
    for (const auto& [ssrc, stream] : inbound_) n += stream.received > 0;
    return n;
  }

 private:
  struct InboundStream {
    std::uint32_t ssrc = 0;
    bool video = false;
    std::int64_t highest = -1;  // extended sequence number
    std::int64_t first = -1;
    std::uint16_t cycles = 0;
    std::map<std::int64_t, std::int64_t> missing;  // extended sequence number -> when its gap was seen
    std::uint64_t received = 0;
    std::int64_t lastFrameMicros = -1;  // when its last decodable frame was complete
    std::int64_t decodableFrom = -1;    // the latest key frame's first packet: older gaps no longer matter
    std::int64_t lastPliMicros = -1;
    // Frames after a gap wait for it; a gap not repaired for this long is given up on, and a
    // key frame asked for, as a browser's decoder does.
    static constexpr std::int64_t kGiveUpMicros = 300'000;
    bool blocked() const { return missing.lower_bound(decodableFrom) != missing.end(); }
  };

  // One layer of the video a publisher sends (one without simulcast).
  struct Sent {
    std::uint16_t seq = 0;
    std::size_t size = 0;
    std::array<std::uint8_t, 1500> bytes{};
  };
  struct OutboundLayer {
    std::uint32_t ssrc = 0, rtxSsrc = 0;
    std::uint16_t seq = 0, rtxSeq = 0;
    std::uint16_t pictureId = 0;
    // The last packets sent, unencrypted, by sequence number: NACKs are answered from here
    // on the RTX stream, as a browser does.
    std::vector<Sent> sent = std::vector<Sent>(1024);
  };

  void publish();
  void onRemoteDescription(const std::string& sdp, bool isOffer);
  void answer(const sdp::SessionDescription& offer);
  void connectMedia(webrtc::WebRtcServer& socket, webrtc::WebRtcTransport& transport, const std::string& ufrag,
                    const std::string& pwd, const std::string& fingerprint, const std::string& candidate);
  // A transport on `socket`: publishing and receiving use two sockets, as a browser's two
  // peer connections do (the server tells its transports apart by the source address).
  // Always the DTLS client. ICE: controlling, except when answering a full ICE agent's offer
  // (Janus), where the offerer controls (RFC 8445 6.1.1).
  std::unique_ptr<webrtc::WebRtcTransport> makeTransport(webrtc::WebRtcServer& socket,
                                                         webrtc::WebRtcTransport::IceRole iceRole);
  void sendAudio();
  void sendVideo();
  void sendRtp(std::uint8_t payloadType, std::uint32_t ssrc, std::uint16_t& seq, std::uint32_t timestamp,
               bool marker, const std::uint8_t* payload, std::size_t length, const std::uint8_t* prefix,
               std::size_t prefixLength, int layer, OutboundLayer* record);
  void report();
  void sendFeedback();
  void retransmit(OutboundLayer& layer, std::uint16_t seq);
  // A received video packet: its stream's frame clock and the layer it came from.
  void noteVideo(InboundStream& stream, bool marker, bool filledGap, int layer, std::size_t length,
                 std::int64_t arrivalMicros);
  void askKeyFrame(InboundStream& stream, std::int64_t nowMicros);
  bool simulateLoss();
  std::int64_t extend(InboundStream& stream, std::uint16_t seq);

  void onRtp(webrtc::Transport&, std::uint8_t* data, std::size_t length) override;
  void onRtcp(webrtc::Transport&, std::uint8_t* data, std::size_t length) override;
  void onPublisherRtcp(std::uint8_t* data, std::size_t length);
  void onTransportConnected(webrtc::Transport&) override;
  void onTransportClosed(webrtc::Transport&, const std::string& reason) override;

  boost::asio::io_context& io_;
  Role role_;
  const SyntheticMedia& media_;
  std::shared_ptr<dtls::Certificate> certificate_;
  LoadStats& stats_;
  std::unique_ptr<SessionSignaling> signaling_;
  webrtc::WebRtcServer socket_;
  bool iceTcp_ = false;  // media over ICE-TCP instead of UDP
  std::set<const webrtc::WebRtcTransport*> connecting_;  // its ICE-TCP connection is opening
  std::unique_ptr<webrtc::WebRtcServer> receiveSocket_;  // a second one when it both sends and receives
  webrtc::WebRtcServer& receivingSocket() { return receiveSocket_ ? *receiveSocket_ : socket_; }
  std::unique_ptr<webrtc::WebRtcTransport> sender_, receiver_;  // publishing, subscribing
  MediaRates rates_;
  boost::asio::steady_timer audioTimer_, videoTimer_, reportTimer_, feedbackTimer_;
  std::chrono::steady_clock::time_point joinedAt_, audioDue_, videoDue_;
  bool sawFirstPacket_ = false;
  std::uint32_t audioSsrc_, ownSsrc_;
  std::uint16_t audioSeq_ = 0;
  std::vector<OutboundLayer> videoLayers_;  // smallest first
  std::size_t audioIndex_ = 0, videoIndex_ = 0;
  std::uint32_t audioTimestamp_ = 0, videoTimestamp_ = 0;
  std::map<std::uint32_t, InboundStream> inbound_;  // by SSRC (RTX SSRCs map to their stream)
  std::map<std::uint32_t, std::uint32_t> rtxOf_;    // RTX SSRC -> media SSRC, from the offers
  std::set<std::uint32_t> videoSsrcs_;
  double lossFraction_ = 0;
  // Transport-wide CC of what it receives: the server's extension id (0: not offered).
  std::uint8_t transportCcId_ = 0;
  sfu::TwccRecorder twcc_;
  std::optional<DownlinkBottleneck> cap_;
  std::array<std::int64_t, 3> layerSeenMicros_{-1, -1, -1};  // the last packet of each layer
  ReceiveQuality quality_;
  std::int64_t measureStartMicros_ = -1;
  std::uint64_t lossState_;
  unsigned reports_ = 0;
  bool reportsStarted_ = false;
};

}  // namespace parley::bench
