#include "cascade/CascadeLink.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "cascade/CascadeControl.h"
#include "common/Bytes.h"
#include "common/Clock.h"
#include "rtp/RtpPacket.h"

namespace parley::cascade {

namespace {

net::Address bindAddress(const std::string& ip) {
  net::Address address;
  if (!net::Address::parse(ip, 0, address)) throw std::invalid_argument("invalid cascade address " + ip);
  return address;
}

// RFC 5761: RTCP packet types 192-223 in the second byte, where RTP has marker and payload type.
bool isRtcp(const std::uint8_t* data, std::size_t length) { return length >= 2 && data[1] >= 192 && data[1] <= 223; }

constexpr std::size_t kNackItemsPerPacket = 64;

}  // namespace

CascadeLink::CascadeLink(boost::asio::io_context& io, CascadeEndpoint local, unsigned worker,
                         sfu::RemoteLinkHandler& handler)
    : local_(std::move(local)),
      worker_(worker),
      handler_(handler),
      socket_(io, bindAddress(local_.address)),
      rtcpSsrc_(0xCA5C0000u | (worker & 0xFFFFu)) {
  lost_.reserve(sfu::NackGenerator::kMaxMissing);
  socket_.start([this](std::uint8_t* data, std::size_t length, const net::Address& from) { onDatagram(data, length, from); });
}

CascadeLink::~CascadeLink() { socket_.close(); }

void CascadeLink::attach(unsigned slot, const sfu::RemoteShard& shard, const std::string& secret) {
  if (slot >= peers_.size()) peers_.resize(slot + 1);
  auto& p = peers_[slot];
  if (p && p->shard == shard && p->secret == secret) return;
  if (secret.empty()) {
    p.reset();  // no key yet: nothing can be authenticated
    return;
  }
  auto fresh = std::make_unique<Peer>();
  fresh->shard = shard;
  fresh->secret = secret;
  if (!net::Address::parse(shard.address, shard.port, fresh->address)) {
    spdlog::warn("cascade: shard {}/{} has an invalid address {}", shard.nodeId, shard.worker, shard.address);
    p.reset();
    return;
  }
  const std::string here = linkEnd(local_.nodeId, worker_), there = linkEnd(shard.nodeId, shard.worker);
  const CascadeKeys out = deriveCascadeKeys(secret, here, there);
  const CascadeKeys in = deriveCascadeKeys(secret, there, here);
  fresh->out = std::make_unique<srtp::SrtpSession>(srtp::SrtpProfile::AeadAes128Gcm, out.key, out.salt,
                                                   srtp::SrtpSession::Direction::Outbound);
  fresh->in = std::make_unique<srtp::SrtpSession>(srtp::SrtpProfile::AeadAes128Gcm, in.key, in.salt,
                                                  srtp::SrtpSession::Direction::Inbound);
  p = std::move(fresh);
}

CascadeLink::Peer* CascadeLink::peer(unsigned slot) { return slot < peers_.size() ? peers_[slot].get() : nullptr; }

bool CascadeLink::pipeRtp(unsigned slot, std::uint32_t pipeId, const std::uint8_t* data, std::size_t length) {
  Peer* p = peer(slot);
  if (!p || length < 12 || pipeId > kMaxCascadePipeId ||
      length + srtp::kMaxSrtpTrailer > std::min(net::kMaxDatagram, SentPackets::kMaxPacket)) {
    return false;
  }
  std::uint8_t* out = socket_.sendBuffer();
  std::memcpy(out, data, length);
  // A piped packet names its layer in the SSRC field; the cascade adds the track.
  const std::uint32_t ssrc = cascadeSsrc(pipeId, static_cast<int>(read32(out + 8)));
  write32(out + 8, ssrc);
  std::size_t protectedLength = length;
  if (p->out->protectRtp(out, protectedLength, net::kMaxDatagram) != srtp::SrtpError::Ok) return false;
  p->sent.store(ssrc, read16(out + 2), out, protectedLength);
  socket_.commit(protectedLength, p->address);
  sfu::bump(counters_.sent);
  return true;
}

void CascadeLink::sendRtcp(Peer& p, std::size_t length) {
  std::uint8_t* out = socket_.sendBuffer();
  if (p.out->protectRtcp(out, length, net::kMaxDatagram) != srtp::SrtpError::Ok) return;
  socket_.commit(length, p.address);
}

void CascadeLink::announceProducer(unsigned slot, const std::string& roomId, const sfu::RemoteProducerInfo& info) {
  Peer* p = peer(slot);
  if (!p) return;
  const std::size_t n = writeAnnouncement(socket_.sendBuffer(), net::kMaxDatagram - srtp::kMaxSrtpTrailer - 4,
                                          rtcpSsrc_, roomId, info);
  if (n) sendRtcp(*p, n);
}

void CascadeLink::withdrawProducer(unsigned slot, const std::string& roomId, std::uint32_t pipeId) {
  Peer* p = peer(slot);
  if (!p) return;
  const std::size_t n = writeWithdrawal(socket_.sendBuffer(), net::kMaxDatagram - srtp::kMaxSrtpTrailer - 4,
                                        rtcpSsrc_, roomId, pipeId);
  if (n) sendRtcp(*p, n);
}

void CascadeLink::relaySenderReport(unsigned slot, std::uint32_t pipeId, int layer, const rtp::SenderInfo& info) {
  Peer* p = peer(slot);
  if (!p || pipeId > kMaxCascadePipeId) return;
  rtp::SenderInfo relayed = info;
  relayed.ssrc = cascadeSsrc(pipeId, layer);
  sendRtcp(*p, rtp::writeSenderReport(socket_.sendBuffer(), relayed));
}

void CascadeLink::requestKeyFrame(unsigned slot, std::uint32_t pipeId, int layer) {
  Peer* p = peer(slot);
  if (!p || pipeId > kMaxCascadePipeId) return;
  sendRtcp(*p, rtp::writePli(socket_.sendBuffer(), rtcpSsrc_, cascadeSsrc(pipeId, layer)));
}

void CascadeLink::tick(std::int64_t now) {
  const bool sweep = now - lastIdleSweep_ >= kIdleStreamMicros / 10;
  if (sweep) lastIdleSweep_ = now;
  for (auto& p : peers_) {
    if (!p) continue;
    if (sweep) std::erase_if(p->incoming, [&](const auto& s) { return now - s.second.lastPacket > kIdleStreamMicros; });
    for (auto& [ssrc, stream] : p->incoming) {
      lost_.clear();
      stream.missing.collect(now, lost_);
      if (lost_.empty()) continue;
      sendRtcp(*p, rtp::writeNack(socket_.sendBuffer(), rtcpSsrc_, ssrc, lost_, kNackItemsPerPacket));
      sfu::bump(counters_.nacksSent);
    }
  }
}

void CascadeLink::onDatagram(std::uint8_t* data, std::size_t length, const net::Address& from) {
  for (unsigned slot = 0; slot < peers_.size(); ++slot) {
    Peer* p = peers_[slot].get();
    if (!p || !(p->address == from)) continue;
    if (isRtcp(data, length)) onRtcp(slot, *p, data, length);
    else onRtp(slot, *p, data, length);
    return;
  }
  sfu::bump(counters_.unknownSource);
}

void CascadeLink::onRtp(unsigned slot, Peer& p, std::uint8_t* data, std::size_t length) {
  if (const auto result = p.in->unprotectRtp(data, length); result != srtp::SrtpError::Ok) {
    // A replay is a packet that came twice: a retransmission after all, or a duplicate.
    sfu::bump(result == srtp::SrtpError::Replayed ? counters_.replayed : counters_.unauthenticated);
    return;
  }
  if (length < 12) {
    sfu::bump(counters_.malformed);
    return;
  }
  sfu::bump(counters_.received);
  const std::uint32_t ssrc = read32(data + 8);
  auto it = p.incoming.find(ssrc);
  if (it == p.incoming.end() && p.incoming.size() < kMaxRepairedStreams) it = p.incoming.try_emplace(ssrc).first;
  if (it != p.incoming.end()) {
    const std::int64_t now = steadyMicrosNow();
    it->second.missing.onPacket(read16(data + 2), now);
    it->second.lastPacket = now;
  }
  write32(data + 8, static_cast<std::uint32_t>(layerOf(ssrc)));
  handler_.onCascadeRtp(slot, pipeIdOf(ssrc), data, length);
}

void CascadeLink::onRtcp(unsigned slot, Peer& p, std::uint8_t* data, std::size_t length) {
  if (p.in->unprotectRtcp(data, length) != srtp::SrtpError::Ok) {
    sfu::bump(counters_.unauthenticated);
    return;
  }
  const bool ok = rtp::forEachRtcpPart({data, length}, [&](const rtp::RtcpPart& part) {
    std::uint32_t sender = 0, media = 0;
    if (part.type == rtp::kRtcpSr) {
      rtp::SenderInfo info;
      if (rtp::readSenderReport(part, info)) handler_.onCascadeSenderReport(slot, pipeIdOf(info.ssrc), layerOf(info.ssrc), info);
    } else if (part.type == rtp::kRtcpPsfb && part.count == 1 && rtp::readFeedbackSsrcs(part, sender, media)) {
      handler_.onCascadeKeyFrameRequest(slot, pipeIdOf(media), layerOf(media));
    } else if (part.type == rtp::kRtcpRtpfb && part.count == 1 && rtp::readFeedbackSsrcs(part, sender, media)) {
      lost_.clear();
      if (rtp::readNack(part, lost_)) resend(p, media, lost_);
    } else if (const auto control = readCascadeControl(part)) {
      if (control->type == CascadeControl::Type::Announcement) {
        handler_.onCascadeAnnouncement(slot, control->roomId, control->info);
      } else {
        handler_.onCascadeWithdrawal(slot, control->roomId, control->info.pipeId);
      }
    }
  });
  if (!ok) sfu::bump(counters_.malformed);
}

void CascadeLink::resend(Peer& p, std::uint32_t ssrc, const std::vector<std::uint16_t>& lost) {
  for (std::uint16_t seq : lost) {
    const auto packet = p.sent.find(ssrc, seq);
    if (packet.empty()) continue;
    socket_.send(packet.data(), packet.size(), p.address);
    sfu::bump(counters_.retransmitted);
  }
}

}  // namespace parley::cascade
