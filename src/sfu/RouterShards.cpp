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

void Router::setPeers(std::vector<unsigned> peers, bool reportsSpeaker) {
  reportsSpeaker_ = reportsSpeaker;
  for (unsigned peer : peers) {
    if (std::find(peers_.begin(), peers_.end(), peer) != peers_.end() || !context_.links) continue;
    for (auto& p : participants_) {
      for (auto& producer : p->producers) context_.links->announceProducer(peer, roomId_, describe(*p, *producer));
    }
  }
  peers_ = std::move(peers);
}

void Router::addRemoteProducer(const RemoteProducerInfo& info) {
  for (auto& remote : remote_) {
    if (remote.info.pipeId == info.pipeId) return;
  }
  // The copy has no publisher SSRC of its own, and carries the server's payload type
  // already: the origin rewrote it.
  auto producer = std::make_unique<Producer>(
      ProducerDescription{info.producerId, info.ownerId, info.mid, info.kind, info.source,
                          std::vector<LayerDescription>(std::clamp<std::size_t>(info.layers, 1, kMaxLayers)),
                          info.codec.payloadType, 0, info.codec});
  Producer& added = *producer;
  if (added.kind() == MediaKind::Audio) added.addObserver(&speaker_);  // tapped at its origin, not here
  remote_.push_back({info, std::move(producer)});
  if (context_.piped) {
    (*context_.piped)[info.pipeId] = {this, &added, info.audioLevelExtension, info.orientationExtension};
  }
  for (auto& participant : participants_) {
    addConsumer(*participant, added, info.ownerId);
    negotiate(*participant);
  }
}

void Router::removeRemoteProducer(std::uint32_t pipeId) {
  const auto it = std::find_if(remote_.begin(), remote_.end(), [&](const auto& r) { return r.info.pipeId == pipeId; });
  if (it == remote_.end()) return;
  if (context_.piped) context_.piped->erase(pipeId);
  dropConsumersOf(*it->producer);
  speaker_.forget(*it->producer);
  remote_.erase(it);
}

void Router::onRemoteSenderReport(std::uint32_t pipeId, int layer, const rtp::SenderInfo& info) {
  for (auto& remote : remote_) {
    if (remote.info.pipeId != pipeId || layer < 0 || static_cast<std::size_t>(layer) >= remote.producer->layerCount()) {
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
  if (producer.kind() == MediaKind::Audio && track.audioLevelExtension) {
    const auto level = packet.extension(track.audioLevelExtension);
    if (!level.empty()) {
      producer.notifyAudio(packet, AudioLevel{static_cast<std::uint8_t>(level[0] & 0x7F), (level[0] & 0x80) != 0});
    }
  }
  std::span<const std::uint8_t> orientation;
  if (track.orientationExtension) orientation = packet.extension(track.orientationExtension);
  // The origin wrote the layer in the SSRC field.
  if (packet.ssrc() >= producer.layerCount()) return;
  const int layer = static_cast<int>(packet.ssrc());
  producer.onPipedRtp(packet, layer, now);
  fanOut(producer, layer, packet, now, orientation, Arrival::Piped);
}

}  // namespace parley::sfu
