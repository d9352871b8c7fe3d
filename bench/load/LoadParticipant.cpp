#include "LoadParticipant.h"

#include <random>
#include <sstream>

#include "common/Bytes.h"
#include "common/Clock.h"
#include "rtp/Rtcp.h"
#include "rtp/RtpPacket.h"
#include "sdp/SessionDescription.h"

namespace parley::bench {

namespace {

constexpr std::uint8_t kOpus = 111, kVp8 = 96, kRtx = 97;
constexpr std::size_t kMaxPayload = 1100;
constexpr std::size_t kTrailer = 8;  // send time, microseconds of the steady clock

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
                                 const net::Address& bindTo, double lossFraction, MediaRates rates, bool iceTcp)
    : io_(io),
      role_(role),
      media_(media),
      certificate_(std::move(certificate)),
      stats_(stats),
      socket_(io, bindTo, tcpBindOf(bindTo, iceTcp)),
      iceTcp_(iceTcp),
      rates_(rates),
      audioTimer_(io),
      videoTimer_(io),
      reportTimer_(io),
      lossFraction_(lossFraction),
      lossState_(seed * 0x9E3779B97F4A7C15ull + 1) {
  std::mt19937 random(seed);
  audioSsrc_ = random();
  videoSsrc_ = random();
  rtxSsrc_ = random();
  ownSsrc_ = random();
  audioSeq_ = static_cast<std::uint16_t>(random());
  videoSeq_ = static_cast<std::uint16_t>(random());
  socket_.start();
  if (role_ == Role::Both) {
    receiveSocket_ = std::make_unique<webrtc::WebRtcServer>(io, bindTo, tcpBindOf(bindTo, iceTcp));
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

void LoadParticipant::publish() {
  sender_ = makeTransport(socket_, webrtc::WebRtcTransport::IceRole::Controlling);
  sdp::SessionDescription offer;
  offer.sessionId = ownSsrc_;
  offer.bundle = {"0", "1"};
  const auto common = [&](sdp::MediaDescription& m) {
    // Always the DTLS client: Janus would otherwise take the client role for itself.
    sdp::setTransport(m, sender_->localIce().ufrag, sender_->localIce().pwd, certificate_->fingerprint(), "active");
    m.direction = "sendonly";
    m.rtcpReducedSize = true;
    m.cname = "load" + std::to_string(ownSsrc_);
  };
  sdp::MediaDescription audio;
  audio.kind = "audio";
  audio.mid = "0";
  audio.formats = {std::to_string(kOpus)};
  audio.codecs = {{kOpus, "opus", 48000, 2, "minptime=10;useinbandfec=1", {}}};
  audio.ssrcs = {audioSsrc_};
  audio.msid = "load audio" + std::to_string(audioSsrc_);
  common(audio);
  sdp::MediaDescription video;
  video.kind = "video";
  video.mid = "1";
  video.formats = {std::to_string(kVp8), std::to_string(kRtx)};
  video.codecs = {{kVp8, "VP8", 90000, 1, "", {"nack", "nack pli", "ccm fir"}},
                  {kRtx, "rtx", 90000, 1, "apt=" + std::to_string(kVp8), {}}};
  video.ssrcs = {videoSsrc_, rtxSsrc_};
  video.ssrcGroups = {{"FID", {videoSsrc_, rtxSsrc_}}};
  video.msid = "load video" + std::to_string(videoSsrc_);
  common(video);
  offer.media = {audio, video};
  signaling_->publish(sdp::write(offer));
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

void LoadParticipant::sendAudio() {
  const auto& packet = media_.audio[audioIndex_++ % media_.audio.size()];
  sendRtp(kOpus, audioSsrc_, audioSeq_, audioTimestamp_, false, packet.data(), packet.size(), nullptr, 0);
  audioTimestamp_ += 960;
  audioDue_ += rates_.audioInterval;
  audioTimer_.expires_at(audioDue_);
  audioTimer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sendAudio();
  });
}

void LoadParticipant::sendVideo() {
  const auto& frame = media_.video[videoIndex_++ % media_.video.size()];
  // RFC 7741: a one-byte payload descriptor, S set on the frame's first packet.
  for (std::size_t at = 0; at < frame.data.size(); at += kMaxPayload) {
    const std::size_t n = std::min(kMaxPayload, frame.data.size() - at);
    const std::uint8_t descriptor = at == 0 ? 0x10 : 0x00;
    sendRtp(kVp8, videoSsrc_, videoSeq_, videoTimestamp_, at + n == frame.data.size(), frame.data.data() + at, n,
            &descriptor, 1);
  }
  videoTimestamp_ += static_cast<std::uint32_t>(90000 / rates_.videoFps);
  videoDue_ += std::chrono::microseconds(static_cast<std::int64_t>(1e6 / rates_.videoFps));
  videoTimer_.expires_at(videoDue_);
  videoTimer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sendVideo();
  });
}

void LoadParticipant::sendRtp(std::uint8_t payloadType, std::uint32_t ssrc, std::uint16_t& seq, std::uint32_t timestamp,
                              bool marker, const std::uint8_t* payload, std::size_t length, const std::uint8_t* prefix,
                              std::size_t prefixLength) {
  std::uint8_t packet[1500];
  packet[0] = 0x80;
  packet[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | payloadType);
  write16(packet + 2, seq++);
  write32(packet + 4, timestamp);
  write32(packet + 8, ssrc);
  std::size_t size = 12;
  if (prefixLength) std::memcpy(packet + size, prefix, prefixLength);
  size += prefixLength;
  std::memcpy(packet + size, payload, length);
  size += length;
  const std::uint64_t sent = steadyMicrosNow();
  write32(packet + size, static_cast<std::uint32_t>(sent >> 32));
  write32(packet + size + 4, static_cast<std::uint32_t>(sent));
  size += kTrailer;
  if (payloadType == kVp8) {
    Sent& slot = sentVideo_[(seq - 1) % sentVideo_.size()];
    slot.seq = static_cast<std::uint16_t>(seq - 1);
    slot.size = size;
    std::memcpy(slot.bytes.data(), packet, size);
  }
  if (payloadType == kVp8 && simulateLoss()) return;
  if (sender_->sendRtp(packet, size, sizeof packet)) {
    stats_.packetsSent++;
    stats_.bytesSent += size;
  }
}

bool LoadParticipant::simulateLoss() {
  if (lossFraction_ <= 0) return false;
  lossState_ ^= lossState_ << 13;  // xorshift: cheap, and each participant its own sequence
  lossState_ ^= lossState_ >> 7;
  lossState_ ^= lossState_ << 17;
  if (static_cast<double>(lossState_ % 1000000) >= lossFraction_ * 1e6) return false;
  stats_.droppedOnPurpose++;
  return true;
}

void LoadParticipant::retransmit(std::uint16_t seq) {
  const Sent& original = sentVideo_[seq % sentVideo_.size()];
  if (original.size == 0 || original.seq != seq || original.size + 2 > 1400) return;
  // RFC 4588: the RTX stream's own header, then the original sequence number and payload.
  std::uint8_t packet[1500];
  std::memcpy(packet, original.bytes.data(), 12);
  packet[1] = static_cast<std::uint8_t>((packet[1] & 0x80) | kRtx);
  write16(packet + 2, rtxSeq_++);
  write32(packet + 8, rtxSsrc_);
  write16(packet + 12, seq);
  std::memcpy(packet + 14, original.bytes.data() + 12, original.size - 12);
  if (sender_->sendRtp(packet, original.size + 2, sizeof packet)) stats_.retransmissionsSent++;
}

std::int64_t LoadParticipant::extend(InboundStream& stream, std::uint16_t seq) {
  if (stream.highest < 0) return seq;
  const auto delta = static_cast<std::int16_t>(seq - static_cast<std::uint16_t>(stream.highest));
  return stream.highest + delta;
}

void LoadParticipant::onRtp(webrtc::Transport&, std::uint8_t* data, std::size_t length) {
  rtp::RtpPacket packet;
  if (!packet.parse(data, length)) return;
  if ((videoSsrcs_.count(packet.ssrc()) || rtxOf_.count(packet.ssrc())) && simulateLoss()) return;
  const auto now = steadyMicrosNow();
  if (!sawFirstPacket_) {
    sawFirstPacket_ = true;
    stats_.joinToFirstPacketMs.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - joinedAt_).count());
  }
  const auto payload = packet.payload();
  if (payload.size() < kTrailer) return;
  std::uint32_t ssrc = packet.ssrc();
  std::uint16_t seq = packet.sequenceNumber();
  const bool retransmission = rtxOf_.count(ssrc) > 0;
  if (retransmission) {
    if (payload.size() < 2 + kTrailer) return;
    ssrc = rtxOf_[ssrc];
    seq = read16(payload.data());
  }
  auto& stream = inbound_[ssrc];
  stream.ssrc = ssrc;
  const std::int64_t ext = extend(stream, seq);
  if (retransmission) {
    stats_.retransmissionsReceived++;
    stream.missing.erase(ext);
    return;
  }
  stats_.packetsReceived++;
  stats_.bytesReceived += length;
  stream.received++;
  if (stream.highest < 0) {
    stream.first = stream.highest = ext;
    if (videoSsrcs_.count(ssrc)) {
      // Ask for a key frame, as a browser does when a video starts.
      std::uint8_t rtcp[64];
      if (receiver_->sendRtcp(rtcp, rtp::writePli(rtcp, ownSsrc_, ssrc), sizeof rtcp)) stats_.plisSent++;
    }
  } else if (ext > stream.highest) {
    if (ext > stream.highest + 1) {
      std::vector<std::uint16_t> lost;
      for (std::int64_t s = stream.highest + 1; s < ext && lost.size() < 256; ++s) {
        stream.missing.insert(s);
        lost.push_back(static_cast<std::uint16_t>(s));
      }
      std::uint8_t rtcp[1024];
      if (receiver_->sendRtcp(rtcp, rtp::writeNack(rtcp, ownSsrc_, ssrc, lost), sizeof rtcp)) stats_.nacksSent++;
    }
    stream.highest = ext;
  } else {
    stream.missing.erase(ext);  // late, not lost
  }
  if (stats_.measuring) {
    stats_.bytesMeasured += length;
    const auto tail = payload.data() + payload.size() - kTrailer;
    const std::uint64_t sent = static_cast<std::uint64_t>(read32(tail)) << 32 | read32(tail + 4);
    const auto received = static_cast<std::uint64_t>(now);
    if (received >= sent) {
      stats_.delayMicros.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(received - sent, UINT32_MAX)));
    }
  }
}

void LoadParticipant::onRtcp(webrtc::Transport& transport, std::uint8_t* data, std::size_t length) {
  if (&transport != sender_.get()) return;  // feedback about what we publish
  // A key-frame request (PLI or FIR): the next frame sent is the loop's key frame.
  rtp::forEachRtcpPart({data, length}, [this](const rtp::RtcpPart& part) {
    if (part.type == rtp::kRtcpRtpfb && part.count == 1) {
      std::vector<std::uint16_t> lost;
      if (!rtp::readNack(part, lost)) return;
      stats_.nacksReceived++;
      for (auto seq : lost) retransmit(seq);
    }
    if (part.type == rtp::kRtcpPsfb && (part.count == 1 || part.count == 4)) {
      const std::size_t n = media_.video.size();
      videoIndex_ = (videoIndex_ + n - 1) / n * n;
    }
  });
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
    stats_.expected += static_cast<std::uint64_t>(stream.highest - stream.first + 1);
    stats_.lost += stream.missing.size();
  }
}

}  // namespace parley::bench
