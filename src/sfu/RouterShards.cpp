// A room across workers: the Router methods that link its shards (see ShardLinks). A track
// published here is announced to the peers and piped to them; a track published on a peer
// arrives as a copy, a Producer whose packets come from the worker's PipeRing.
#include <algorithm>

#include "common/Clock.h"
#include "rtp/RtpPacket.h"
#include "sfu/Router.h"

namespace parley::sfu {

RemoteProducerInfo Router::describe(const MediaParticipant& owner, const Producer& producer) const {
  RemoteProducerInfo info;
  info.pipeId = producer.pipeId();
  info.origin = context_.worker;
  info.ownerId = owner.id();
  info.producerId = producer.id();
  info.mid = producer.mid();
  info.kind = producer.kind();
  info.source = producer.source();
  info.codec = producer.codec();
  info.layers = static_cast<std::uint8_t>(producer.layerCount());
  info.audioLevelExtension = owner.extensions.audioLevel;
  info.orientationExtension = owner.extensions.videoOrientation;
  return info;
}

void Router::setAudioTap(std::shared_ptr<AudioTap> tap) {
  audioTap_ = std::move(tap);
  tap_.setTap(audioTap_);
  cascadeTap_.setTap(reportsSpeaker_ ? audioTap_ : nullptr);
}

void Router::setPeers(std::vector<unsigned> peers, bool reportsSpeaker) {
  reportsSpeaker_ = reportsSpeaker;
  cascadeTap_.setTap(reportsSpeaker_ ? audioTap_ : nullptr);
  for (unsigned peer : peers) {
    if (std::find(peers_.begin(), peers_.end(), peer) != peers_.end() || !context_.links) continue;
    for (auto& p : participants_) {
      for (auto& producer : p->producers) context_.links->announceProducer(peer, roomId_, describe(*p, *producer));
    }
  }
  peers_ = std::move(peers);
}

void Router::addRemoteProducer(const RemoteProducerInfo& info) {
  const std::int64_t now = steadyMicrosNow();
  for (auto& remote : remote_) {
    if (remote.info.pipeId == info.pipeId && remote.info.origin == info.origin) {
      remote.announcedAt = now;
      return;
    }
  }
  // The copy has no publisher SSRC of its own, and carries the server's payload type
  // already: the origin rewrote it.
  auto producer = std::make_unique<Producer>(
      ProducerDescription{info.producerId, info.ownerId, info.mid, info.kind, info.source,
                          std::vector<LayerDescription>(std::clamp<std::size_t>(info.layers, 1, kMaxLayers)),
                          info.codec.payloadType, 0, info.codec});
  Producer& added = *producer;
  if (added.kind() == MediaKind::Audio) {
    added.addObserver(&speaker_);
    // A copy from another worker is tapped at its origin; one from another node, here.
    if (isRemoteLink(info.origin)) added.addObserver(&cascadeTap_);
  }
  remote_.push_back({info, std::move(producer), now});
  if (context_.piped) {
    (*context_.piped)[pipedKey(info.origin, info.pipeId)] = {this, &added, info.audioLevelExtension,
                                                             info.orientationExtension, info.origin};
  }
  for (auto& participant : participants_) {
    addConsumer(*participant, added, info.ownerId);
    negotiate(*participant);
  }
}

void Router::removeRemoteProducer(unsigned origin, std::uint32_t pipeId) {
  const auto it = std::find_if(remote_.begin(), remote_.end(),
                               [&](const auto& r) { return r.info.pipeId == pipeId && r.info.origin == origin; });
  if (it == remote_.end()) return;
  if (context_.piped) context_.piped->erase(pipedKey(origin, pipeId));
  dropConsumersOf(*it->producer);
  speaker_.forget(*it->producer);
  recording_.onProducerClosed(*it->producer);
  remote_.erase(it);
}

void Router::refreshCascade(std::int64_t now) {
  if (!context_.links) return;
  for (unsigned peer : peers_) {
    if (!isRemoteLink(peer)) continue;
    for (auto& p : participants_) {
      for (auto& producer : p->producers) context_.links->announceProducer(peer, roomId_, describe(*p, *producer));
    }
  }
  std::vector<std::pair<unsigned, std::uint32_t>> expired;
  for (const auto& remote : remote_) {
    if (isRemoteLink(remote.info.origin) && now - remote.announcedAt > kCascadeExpiryMicros) {
      expired.emplace_back(remote.info.origin, remote.info.pipeId);
    }
  }
  for (const auto& [origin, pipeId] : expired) removeRemoteProducer(origin, pipeId);
}

void Router::onRemoteSenderReport(unsigned origin, std::uint32_t pipeId, int layer, const rtp::SenderInfo& info) {
  for (auto& remote : remote_) {
    if (remote.info.pipeId != pipeId || remote.info.origin != origin || layer < 0 ||
        static_cast<std::size_t>(layer) >= remote.producer->layerCount()) {
      continue;
    }
    remote.producer->layer(static_cast<std::size_t>(layer)).stats.onSenderReport(info, steadyMicrosNow());
  }
}

void Router::onRemoteKeyFrameRequest(std::uint32_t pipeId, int layer) {
  for (auto& p : participants_) {
    for (auto& producer : p->producers) {
      if (producer->pipeId() == pipeId && layer >= 0 && static_cast<std::size_t>(layer) < producer->layerCount()) {
        producer->requestKeyFrame(layer);
      }
    }
  }
}

void Router::onPipedRtp(const PipedTrack& track, std::uint8_t* data, std::size_t length) {
  rtp::RtpPacket packet;
  if (!packet.parse(data, length)) return;  // it parsed on the origin worker
  const std::int64_t now = steadyMicrosNow();
  context_.counters.rtpPiped.fetch_add(1, std::memory_order_relaxed);
  Producer& producer = *track.producer;
  if (producer.kind() == MediaKind::Audio) {
    std::optional<AudioLevel> level;
    if (track.audioLevelExtension) {
      const auto bytes = packet.extension(track.audioLevelExtension);
      if (!bytes.empty()) level = AudioLevel{static_cast<std::uint8_t>(bytes[0] & 0x7F), (bytes[0] & 0x80) != 0};
    }
    producer.notifyAudio(packet, level);
  }
  std::span<const std::uint8_t> orientation;
  if (track.orientationExtension) orientation = packet.extension(track.orientationExtension);
  // The origin wrote the layer in the SSRC field.
  if (packet.ssrc() >= producer.layerCount()) return;
  const int layer = static_cast<int>(packet.ssrc());
  producer.onPipedRtp(packet, layer, now);
  fanOut(producer, layer, packet, now, orientation, isRemoteLink(track.origin) ? Arrival::Cascade : Arrival::Piped);
}

}  // namespace parley::sfu
