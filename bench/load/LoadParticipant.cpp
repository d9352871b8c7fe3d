#include "LoadParticipant.h"

#include <random>
#include <sstream>

#include "common/Bytes.h"
#include "common/Clock.h"
#include "rtp/Rtcp.h"
#include "rtp/RtpPacket.h"
#include "rtp/Vp8Descriptor.h"
#include "sdp/SessionDescription.h"

namespace parley::bench {

namespace {

constexpr std::size_t kTrailer = 8;  // the layer, then 56 bits of send time (steady clock, µs)
constexpr const char* kTransportCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

struct Remote {
  std::string ufrag, pwd, fingerprint, candidate;
};

// The server's credentials and the candidate to use: its UDP one, or with ICE-TCP its
// passive TCP one.
Remote remoteOf(const sdp::SessionDescription& d, bool iceTcp) {
  Remote r;
  if (d.media.empty()) return r;
  const auto& m = d.media.front();
  r.ufrag = m.iceUfrag;
  r.pwd = m.icePwd;
  r.fingerprint = m.fingerprint;
  for (const auto& candidate : m.candidates) {
    const bool tcp = candidate.find(" tcp ") != std::string::npos;
    if (tcp == iceTcp) return r.candidate = candidate, r;
  }
  return r;
}

std::optional<net::Address> tcpBindOf(const net::Address& bindTo, bool iceTcp) {
  if (!iceTcp) return std::nullopt;
  net::Address any = bindTo;
  any.port = 0;
  return any;
}

}  // namespace

LoadParticipant::LoadParticipant(boost::asio::io_context& io, Role role, const SyntheticMedia& media,
                                 std::shared_ptr<dtls::Certificate> certificate, LoadStats& stats, std::uint32_t seed,
                                 const net::Address& bindTo, const ParticipantOptions& options)
    : io_(io),
      role_(role),
      media_(media),
      certificate_(std::move(certificate)),
      stats_(stats),
      socket_(io, bindTo, tcpBindOf(bindTo, options.iceTcp)),
      iceTcp_(options.iceTcp),
      rates_(options.rates),
      audioTimer_(io),
      videoTimer_(io),
      reportTimer_(io),
      feedbackTimer_(io),
      lossFraction_(options.lossFraction),
      lossState_(seed * 0x9E3779B97F4A7C15ull + 1) {
  std::mt19937 random(seed);
  audioSsrc_ = random();
  ownSsrc_ = random();
  audioSeq_ = static_cast<std::uint16_t>(random());
  if (publishes()) {
    videoLayers_.resize(options.simulcast ? 3 : 1);
    for (auto& layer : videoLayers_) {
      layer.ssrc = random();
      layer.rtxSsrc = random();
      layer.seq = static_cast<std::uint16_t>(random());
      layer.pictureId = static_cast<std::uint16_t>(random());
    }
  }
  socket_.start();
  if (role_ == Role::Both) {
    receiveSocket_ = std::make_unique<webrtc::WebRtcServer>(io, bindTo, tcpBindOf(bindTo, options.iceTcp));
    receiveSocket_->start();
  }
}

LoadParticipant::~LoadParticipant() {
  if (sender_) socket_.removeTransport(*sender_);
  if (receiver_) receivingSocket().removeTransport(*receiver_);
}

std::unique_ptr<webrtc::WebRtcTransport> LoadParticipant::makeTransport(webrtc::WebRtcServer& socket,
                                                                        webrtc::WebRtcTransport::IceRole iceRole) {
  return socket.createTransport(dtls::DtlsTransport::Role::Client, iceRole,
                                *this, certificate_);
}

void LoadParticipant::join(std::unique_ptr<SessionSignaling> signaling) {
  joinedAt_ = std::chrono::steady_clock::now();
  signaling_ = std::move(signaling);
  SessionSignaling::Events events;
  events.joined = [this] {
    if (publishes()) publish();
  };
  events.answer = [this](const std::string& sdp) { onRemoteDescription(sdp, false); };
  events.offer = [this](const std::string& sdp) {
    if (receives()) onRemoteDescription(sdp, true);
  };
  events.failed = [this](const std::string& what) { stats_.failures.push_back(what); };
  signaling_->join(std::move(events));
}

void LoadParticipant::stopSending() {
  audioTimer_.cancel();
  videoTimer_.cancel();
}

void LoadParticipant::leave() {
  audioTimer_.cancel();
  videoTimer_.cancel();
  reportTimer_.cancel();
  feedbackTimer_.cancel();
  if (signaling_) signaling_->leave();
}

void LoadParticipant::onRemoteDescription(const std::string& text, bool isOffer) {
  const auto parsed = sdp::parse(text);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    stats_.failures.push_back("bad SDP from the server: " + *error);
    return;
  }
  const auto& description = std::get<sdp::SessionDescription>(parsed);
  if (isOffer) answer(description);
  const Remote remote = remoteOf(description, iceTcp_);
  auto& transport = isOffer ? receiver_ : sender_;
  if (transport) {
    connectMedia(isOffer ? receivingSocket() : socket_, *transport, remote.ufrag, remote.pwd, remote.fingerprint,
                 remote.candidate);
  }
}

void LoadParticipant::answer(const sdp::SessionDescription& offer) {
  if (!receiver_) {
    receiver_ = makeTransport(receivingSocket(), offer.iceLite ? webrtc::WebRtcTransport::IceRole::Controlling
                                                               : webrtc::WebRtcTransport::IceRole::Controlled);
  }
  sdp::SessionDescription reply;
  reply.sessionId = ownSsrc_;
  reply.bundle = offer.bundle;
  for (const auto& m : offer.media) {
    sdp::MediaDescription a;
    a.kind = m.kind;
    a.mid = m.mid;
    a.formats = m.formats;
    a.codecs = m.codecs;
    a.extensions = m.extensions;
    a.direction = m.sends() ? "recvonly" : "inactive";
    sdp::setTransport(a, receiver_->localIce().ufrag, receiver_->localIce().pwd, certificate_->fingerprint(), "active");
    a.rtcpReducedSize = true;
    reply.media.push_back(std::move(a));
    for (const auto& group : m.ssrcGroups)
      if (group.semantics == "FID" && group.ssrcs.size() == 2) rtxOf_[group.ssrcs[1]] = group.ssrcs[0];
    if (m.kind == "video" && !m.ssrcs.empty()) videoSsrcs_.insert(m.ssrcs.front());
    if (const int id = m.extensionId(kTransportCcUri); id > 0 && id < 15) transportCcId_ = static_cast<std::uint8_t>(id);
  }
  signaling_->answer(sdp::write(reply));
}

void LoadParticipant::connectMedia(webrtc::WebRtcServer& socket, webrtc::WebRtcTransport& transport,
                                   const std::string& ufrag, const std::string& pwd, const std::string& fingerprint,
                                   const std::string& candidate) {
  if (transport.remoteAddress() || transport.connected() || connecting_.count(&transport)) return;
  // "foundation component udp|tcp priority ADDRESS PORT typ host [tcptype passive]"
  std::istringstream fields(candidate);
  std::string foundation, component, protocol, priority, address;
  std::uint16_t port = 0;
  fields >> foundation >> component >> protocol >> priority >> address >> port;
  net::Address remote;
  if (!net::Address::parse(address, port, remote)) {
    stats_.failures.push_back("no usable " + std::string(iceTcp_ ? "TCP" : "UDP") + " candidate in the server's SDP: " +
                              candidate);
    return;
  }
  transport.setRemoteParameters({ufrag, pwd}, "sha-256", fingerprint);
  if (!iceTcp_) return transport.connectTo(remote);
  // ICE-TCP's active side: open the connection, then check over it.
  remote.tcp = true;
  connecting_.insert(&transport);
  socket.connectTcp(remote, [this, &transport, remote](bool connected) {
    connecting_.erase(&transport);
    if (!connected) return stats_.failures.push_back("could not open ICE-TCP to " + remote.toString());
    transport.connectTo(remote);
  });
}

void LoadParticipant::onTransportConnected(webrtc::Transport& transport) {
  const auto now = std::chrono::steady_clock::now();
  if (&transport == sender_.get()) {
    audioDue_ = videoDue_ = now;
    sendAudio();
    sendVideo();
  }
  if (&transport == receiver_.get() && transportCcId_) sendFeedback();
  if (reports_ == 0 && !reportsStarted_) {
    reportsStarted_ = true;
    reportTimer_.expires_after(std::chrono::seconds(1));
    reportTimer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) report();
    });
  }
}

void LoadParticipant::onTransportClosed(webrtc::Transport&, const std::string& reason) {
  stats_.failures.push_back("media transport closed: " + reason);
}

std::int64_t LoadParticipant::extend(InboundStream& stream, std::uint16_t seq) {
  if (stream.highest < 0) return seq;
  const auto delta = static_cast<std::int16_t>(seq - static_cast<std::uint16_t>(stream.highest));
  return stream.highest + delta;
}

void LoadParticipant::onRtp(webrtc::Transport&, std::uint8_t* data, std::size_t length) {
  rtp::RtpPacket packet;
  if (!packet.parse(data, length)) return;
  const auto now = steadyMicrosNow();
  // Through the bottleneck first: what it drops never arrived, what it queues arrives later.
  std::int64_t arrival = now;
  if (cap_) {
    quality_.bottleneckPackets++;
    const auto out = cap_->pass(now, length + 28);  // on the wire: IP and UDP headers too
    if (!out) {
      quality_.bottleneckDrops++;
      quality_.lastDropMicros = now;
      return;
    }
    arrival = *out;
  }
  if (transportCcId_) {
    const auto seq = packet.extension(transportCcId_);
    if (seq.size() == 2) twcc_.onPacket(read16(seq.data()), arrival);
  }
  if ((videoSsrcs_.count(packet.ssrc()) || rtxOf_.count(packet.ssrc())) && simulateLoss()) return;
  if (!sawFirstPacket_) {
    sawFirstPacket_ = true;
    stats_.joinToFirstPacketMs.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - joinedAt_).count());
  }
  const auto payload = packet.payload();
  if (payload.size() < kTrailer) return;  // padding (a bandwidth probe)
  std::uint32_t ssrc = packet.ssrc();
  std::uint16_t seq = packet.sequenceNumber();
  const bool retransmission = rtxOf_.count(ssrc) > 0;
  if (retransmission) {
    if (payload.size() < 2 + kTrailer) return;
    ssrc = rtxOf_[ssrc];
    seq = read16(payload.data());
  }
  const bool video = videoSsrcs_.count(ssrc) > 0;
  const auto tail = payload.data() + payload.size() - kTrailer;
  const int layer = std::min(tail[0], std::uint8_t{2});
  auto& stream = inbound_[ssrc];
  stream.ssrc = ssrc;
  const std::int64_t ext = extend(stream, seq);
  if (retransmission) {
    stats_.retransmissionsReceived++;
    const bool filledGap = stream.missing.erase(ext) > 0;
    if (video) noteVideo(stream, false, filledGap, layer, 0, arrival);
    return;
  }
  stats_.packetsReceived++;
  stats_.bytesReceived += length;
  stream.received++;
  if (stream.highest < 0) {
    stream.first = stream.highest = ext;
    if (video) askKeyFrame(stream, arrival);  // as a browser does when a video starts
  } else if (ext > stream.highest) {
    if (ext > stream.highest + 1) {
      std::vector<std::uint16_t> lost;
      for (std::int64_t s = stream.highest + 1; s < ext && lost.size() < 256; ++s) {
        stream.missing.emplace(s, arrival);
        lost.push_back(static_cast<std::uint16_t>(s));
      }
      std::uint8_t rtcp[1024];
      if (receiver_->sendRtcp(rtcp, rtp::writeNack(rtcp, ownSsrc_, ssrc, lost), sizeof rtcp)) stats_.nacksSent++;
    }
    stream.highest = ext;
  } else {
    stream.missing.erase(ext);  // late, not lost
  }
  if (video) {
    const auto descriptor = rtp::parseVp8Descriptor(payload);
    if (descriptor && descriptor->keyFrame) stream.decodableFrom = std::max(stream.decodableFrom, ext);
    noteVideo(stream, packet.marker(), false, layer, length, arrival);
  }
  // A capped subscriber's delay is its queue's: measured, but not as the server's.
  if (stats_.measuring && !cap_) {
    stats_.bytesMeasured += length;
    const std::uint64_t sent = static_cast<std::uint64_t>(read32(tail) & 0x00ff'ffff) << 32 | read32(tail + 4);
    const auto received = static_cast<std::uint64_t>(now) & 0x00ff'ffff'ffff'ffffull;
    if (received >= sent) {
      stats_.delayMicros.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(received - sent, UINT32_MAX)));
    }
  }
}

void LoadParticipant::noteVideo(InboundStream& stream, bool marker, bool filledGap, int layer, std::size_t length,
                                std::int64_t arrivalMicros) {
  layerSeenMicros_[static_cast<std::size_t>(layer)] = arrivalMicros;
  if (cap_ && layer == 0 && quality_.firstSmallestMicros < 0) quality_.firstSmallestMicros = arrivalMicros;
  if (!stats_.measuring) return;
  quality_.layerBytes[static_cast<std::size_t>(layer)] += length;
  // A frame is decodable once its last packet is in and nothing before it is missing since
  // the last key frame (a decoder waits for retransmissions; VP8 frames depend on the ones
  // before). A gap that stays is given up on: a key frame is asked for.
  if (stream.blocked()) {
    const auto oldest = stream.missing.lower_bound(stream.decodableFrom);
    if (arrivalMicros - oldest->second > InboundStream::kGiveUpMicros) askKeyFrame(stream, arrivalMicros);
    return;
  }
  if (!(marker || filledGap)) return;
  const std::int64_t since = std::max(stream.lastFrameMicros, measureStartMicros_);
  if (since >= 0) quality_.longestFreezeMicros = std::max(quality_.longestFreezeMicros, arrivalMicros - since);
  stream.lastFrameMicros = arrivalMicros;
  quality_.framesDecoded++;
}

void LoadParticipant::askKeyFrame(InboundStream& stream, std::int64_t nowMicros) {
  if (stream.lastPliMicros >= 0 && nowMicros - stream.lastPliMicros < 2 * InboundStream::kGiveUpMicros) return;
  stream.lastPliMicros = nowMicros;
  std::uint8_t rtcp[64];
  if (receiver_->sendRtcp(rtcp, rtp::writePli(rtcp, ownSsrc_, stream.ssrc), sizeof rtcp)) stats_.plisSent++;
}

int LoadParticipant::recentLayer() const {
  const std::int64_t since = steadyMicrosNow() - 1'000'000;
  for (int l = 2; l >= 0; --l)
    if (layerSeenMicros_[static_cast<std::size_t>(l)] >= since) return l;
  return -1;
}

void LoadParticipant::startMeasurement() { measureStartMicros_ = steadyMicrosNow(); }

void LoadParticipant::endMeasurement() {
  const std::int64_t now = steadyMicrosNow();
  for (const auto& [ssrc, stream] : inbound_) {
    if (!videoSsrcs_.count(ssrc)) continue;
    const std::int64_t since = std::max(stream.lastFrameMicros, measureStartMicros_);
    quality_.longestFreezeMicros = std::max(quality_.longestFreezeMicros, now - since);
  }
}

void LoadParticipant::capDownlink(double bitsPerSecond) {
  cap_.emplace(bitsPerSecond);
  quality_.cappedAtMicros = steadyMicrosNow();
  quality_.firstSmallestMicros = -1;
}

void LoadParticipant::sendFeedback() {
  std::uint8_t rtcp[rtp::kMaxTransportFeedbackBytes];
  const std::size_t n = twcc_.writeFeedback(rtcp, sizeof rtcp, ownSsrc_, 0);
  if (n) receiver_->sendRtcp(rtcp, n, sizeof rtcp);
  feedbackTimer_.expires_after(std::chrono::milliseconds(100));
  feedbackTimer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sendFeedback();
  });
}

void LoadParticipant::onRtcp(webrtc::Transport& transport, std::uint8_t* data, std::size_t length) {
  if (&transport == sender_.get()) onPublisherRtcp(data, length);  // feedback about what we publish
}

void LoadParticipant::report() {
  if (receiver_) {
    std::vector<rtp::ReportBlock> blocks;
    for (const auto& [ssrc, stream] : inbound_) {
      if (stream.highest < 0 || blocks.size() == 31) continue;
      rtp::ReportBlock block;
      block.ssrc = ssrc;
      block.highestSeq = static_cast<std::uint32_t>(stream.highest);
      block.cumulativeLost = static_cast<std::int32_t>(stream.missing.size());
      blocks.push_back(block);
    }
    std::uint8_t rtcp[1024];
    receiver_->sendRtcp(rtcp, rtp::writeReceiverReport(rtcp, ownSsrc_, blocks), sizeof rtcp);
  }
  // Consent freshness (RFC 7675) both ways: our checks to the server, answers to its own.
  socket_.tick(std::chrono::steady_clock::now());
  if (receiveSocket_) receiveSocket_->tick(std::chrono::steady_clock::now());
  ++reports_;
  reportTimer_.expires_after(std::chrono::seconds(1));
  reportTimer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) report();
  });
}

void LoadParticipant::finish() {
  for (const auto& [ssrc, stream] : inbound_) {
    if (stream.first < 0) continue;
    if (stream.received > 0) stats_.streamsReceived++;
    const auto expected = static_cast<std::uint64_t>(stream.highest - stream.first + 1);
    stats_.expected += expected;
    stats_.lost += stream.missing.size();
    quality_.expected += expected;
    quality_.lost += stream.missing.size();
  }
}

}  // namespace parley::bench
