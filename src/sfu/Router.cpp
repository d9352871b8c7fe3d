#include "sfu/Router.h"

#include <algorithm>

#include "common/Clock.h"
#include "common/Random.h"
#include "net/UdpSocket.h"
#include "rtp/Rtcp.h"
#include "rtp/RtpPacket.h"
#include "rtp/Vp8Descriptor.h"
#include "srtp/SrtpProfile.h"

namespace parley::sfu {

namespace {

constexpr std::int64_t kSpeakerIntervalMicros = 500000;
constexpr std::int64_t kRemoteKeyFrameIntervalMicros = 40000;
constexpr std::int64_t kLayerSelectionIntervalMicros = 250000;

std::uint32_t randomSsrc() {
  std::uint32_t ssrc = 0;
  while (ssrc == 0) secureRandomBytes(&ssrc, sizeof ssrc);
  return ssrc;
}

std::optional<AudioLevel> audioLevel(const rtp::RtpPacket& packet, std::uint8_t extension) {
  if (!extension) return std::nullopt;
  const auto level = packet.extension(extension);
  if (level.empty()) return std::nullopt;
  return AudioLevel{static_cast<std::uint8_t>(level[0] & 0x7F), (level[0] & 0x80) != 0};
}

// Whether `producer` is the track `track` describes: the same section and encodings.
bool carries(const Producer& producer, const PublishedTrack& track) {
  if (producer.mid() != track.mid || producer.layerCount() != track.layers.size()) return false;
  for (std::size_t i = 0; i < track.layers.size(); ++i) {
    const ProducerLayer& have = producer.layer(i);
    const LayerDescription& want = track.layers[i];
    if (have.rid != want.rid || (want.ssrc != 0 && want.ssrc != have.ssrc)) return false;
  }
  return true;
}

}  // namespace

Router::Router(RouterContext context, std::string roomId)
    : context_(std::move(context)),
      roomId_(std::move(roomId)),
      publisherFeedback_(context_.counters),
      subscriberFeedback_(context_.counters) {}

Router::~Router() {
  if (context_.piped) {
    for (auto& remote : remote_) context_.piped->erase(remote.info.pipeId);
  }
  for (auto& p : participants_) {
    if (p->publisher) context_.transports.releaseTransport(*p->publisher);
    if (p->subscriber) context_.transports.releaseTransport(*p->subscriber);
  }
}

MediaParticipant* Router::find(const std::string& id) {
  for (auto& p : participants_) {
    if (p->id() == id) return p.get();
  }
  return nullptr;
}

const MediaParticipant* Router::participant(const std::string& id) const {
  return const_cast<Router*>(this)->find(id);
}

void Router::error(const std::string& participantId, const std::string& message) {
  context_.counters.rejectedSdp.fetch_add(1, std::memory_order_relaxed);
  context_.emit({MediaEvent::Type::Error, roomId_, participantId, {}, {}, message, {}, {}});
}

LocalTransport Router::localTransport(const webrtc::Transport& transport, std::uint64_t version) const {
  return {transport.localIce().ufrag, transport.localIce().pwd, context_.fingerprint, context_.announcedIps,
          context_.transports.port(), 0x5041524C4559ull /* "PARLEY" */, version, context_.transports.tcpPort()};
}

void Router::join(const std::string& participantId) {
  if (find(participantId)) return;
  participants_.push_back(std::make_unique<MediaParticipant>(*this, participantId));
  MediaParticipant& joined = *participants_.back();
  for (auto& other : participants_) {
    if (other.get() == &joined) continue;
    for (auto& producer : other->producers) addConsumer(joined, *producer, other->id());
  }
  for (auto& remote : remote_) addConsumer(joined, *remote.producer, remote.info.ownerId);
  if (!joined.consumers.empty()) negotiate(joined);
}

void Router::leave(const std::string& participantId) {
  const auto it = std::find_if(participants_.begin(), participants_.end(),
                               [&](const auto& p) { return p->id() == participantId; });
  if (it == participants_.end()) return;
  MediaParticipant& leaving = **it;
  while (!leaving.producers.empty()) closeProducer(leaving, *leaving.producers.back());
  for (auto& consumer : leaving.consumers) {
    if (consumer) std::erase(consumer->producer().consumers(), consumer.get());
  }
  if (leaving.publisher) context_.transports.releaseTransport(*leaving.publisher);
  if (leaving.subscriber) context_.transports.releaseTransport(*leaving.subscriber);
  speaker_.participantLeft(participantId);
  participants_.erase(it);
}

void Router::addConsumer(MediaParticipant& subscriber, Producer& producer, const std::string& ownerId) {
  const std::uint32_t rtxSsrc = producer.codec().rtxPayloadType ? randomSsrc() : 0;
  // A slot whose track ended, already offered inactive to this subscriber, carries the new
  // track: m-lines are recycled, so a long meeting does not grow every offer.
  std::size_t index = subscriber.slots.size();
  for (std::size_t i = 0; i < subscriber.slots.size(); ++i) {
    const auto& slot = subscriber.slots[i];
    if (!slot.active && slot.offeredInactive && !subscriber.consumers[i] && slot.kind == producer.kind() &&
        slot.codec.name == producer.codec().name) {
      index = i;
      break;
    }
  }
  const std::string mid = index < subscriber.slots.size() ? subscriber.slots[index].mid : std::to_string(index);
  auto consumer = std::make_unique<Consumer>(producer, &subscriber, mid, randomSsrc(), rtxSsrc);
  producer.consumers().push_back(consumer.get());
  ConsumerSlot slot{mid, producer.kind(), true, false, producer.codec(), consumer->ssrc(), rtxSsrc, ownerId, producer.id()};
  if (index < subscriber.slots.size()) {
    subscriber.slots[index] = std::move(slot);
    subscriber.consumers[index] = std::move(consumer);
  } else {
    subscriber.slots.push_back(std::move(slot));
    subscriber.consumers.push_back(std::move(consumer));
  }
}

void Router::closeProducer(MediaParticipant& owner, Producer& producer) {
  if (context_.links) {
    for (unsigned peer : peers_) context_.links->withdrawProducer(peer, roomId_, producer.pipeId());
  }
  dropConsumersOf(producer);
  speaker_.forget(producer);
  recording_.onProducerClosed(producer);
  std::erase_if(owner.producers, [&](const auto& p) { return p.get() == &producer; });
}

void Router::dropConsumersOf(Producer& producer) {
  for (auto& participant : participants_) {
    bool changed = false;
    for (std::size_t i = 0; i < participant->consumers.size(); ++i) {
      auto& consumer = participant->consumers[i];
      if (consumer && &consumer->producer() == &producer) {
        consumer.reset();
        participant->slots[i].active = false;
        participant->slots[i].offeredInactive = false;
        changed = true;
      }
    }
    if (changed) negotiate(*participant);
  }
}

void Router::publish(const std::string& participantId, const std::string& offerText,
                     const std::map<std::string, TrackSource>& sources) {
  MediaParticipant* participant = find(participantId);
  if (!participant) return;
  auto parsed = sdp::parse(offerText);
  if (auto* problem = std::get_if<std::string>(&parsed)) return error(participantId, "bad offer: " + *problem);
  if (!participant->publisher) participant->publisher = context_.transports.createTransport(*participant);
  auto negotiated = answerPublisher(std::get<sdp::SessionDescription>(parsed),
                                    localTransport(*participant->publisher, ++participant->publishVersion),
                                    kMaxTracksPerParticipant);
  if (auto* problem = std::get_if<std::string>(&negotiated)) return error(participantId, *problem);
  auto& result = std::get<PublisherNegotiation>(negotiated);
  participant->publisher->setRemoteParameters({result.remoteUfrag, result.remotePwd}, result.fingerprintAlgorithm,
                                              result.fingerprint);
  participant->extensions = result.extensions;
  for (const auto& [mid, source] : sources) participant->sources[mid] = source;

  // Tracks that stopped, or changed their encodings, end their producers.
  std::vector<Producer*> ended;
  for (auto& producer : participant->producers) {
    const auto still = std::find_if(result.tracks.begin(), result.tracks.end(),
                                    [&](const PublishedTrack& t) { return carries(*producer, t); });
    if (still == result.tracks.end()) ended.push_back(producer.get());
  }
  for (Producer* producer : ended) closeProducer(*participant, *producer);
  // New tracks start producers and reach everyone else, in one offer each.
  bool added = false;
  for (const auto& track : result.tracks) {
    if (std::any_of(participant->producers.begin(), participant->producers.end(),
                    [&](const auto& p) { return carries(*p, track); })) {
      continue;
    }
    TrackSource source = track.kind == MediaKind::Audio ? TrackSource::Microphone : TrackSource::Camera;
    if (const auto it = participant->sources.find(track.mid); it != participant->sources.end()) source = it->second;
    participant->producers.push_back(std::make_unique<Producer>(
        ProducerDescription{randomToken(9), participant->id(), track.mid, track.kind, source, track.layers,
                            track.payloadType, track.rtxPayloadType, track.codec}));
    Producer& producer = *participant->producers.back();
    if (producer.kind() == MediaKind::Audio) {
      producer.addObserver(&speaker_);
      producer.addObserver(&tap_);
    }
    for (auto& other : participants_) {
      if (other.get() != participant) addConsumer(*other, producer, participant->id());
    }
    added = true;
    if (context_.links) {
      for (unsigned peer : peers_) context_.links->announceProducer(peer, roomId_, describe(*participant, producer));
    }
  }
  if (added) {
    for (auto& other : participants_) {
      if (other.get() != participant) negotiate(*other);
    }
  }
  context_.emit({MediaEvent::Type::PublisherAnswer, roomId_, participantId, result.answer, {}, {}, {}, {}});
  if (result.refusedTracks > 0) {
    context_.counters.refusedTracks.fetch_add(result.refusedTracks, std::memory_order_relaxed);
    context_.emit({MediaEvent::Type::Error, roomId_, participantId, {}, {},
                   std::to_string(result.refusedTracks) + " track(s) refused: a participant publishes at most " +
                       std::to_string(kMaxTracksPerParticipant) + " (camera, microphone, a screen and its sound)",
                   {}, {}});
  }
}

void Router::negotiate(MediaParticipant& participant) {
  if (participant.offerOutstanding) {
    participant.renegotiate = true;
    return;
  }
  if (participant.slots.empty()) return;
  if (!participant.subscriber) participant.subscriber = context_.transports.createTransport(participant);
  std::vector<RemoteTrack> tracks;
  for (std::size_t i = 0; i < participant.slots.size(); ++i) {
    auto& slot = participant.slots[i];
    if (!slot.active || !participant.consumers[i]) {
      slot.offeredInactive = true;  // after this offer, the m-line may carry another track
      continue;
    }
    const Producer& producer = participant.consumers[i]->producer();
    tracks.push_back({slot.mid, slot.streamId, producer.source(), producer.kind()});
  }
  const std::string offer =
      offerSubscriber(localTransport(*participant.subscriber, ++participant.subscribeVersion), participant.slots);
  participant.offerOutstanding = true;
  participant.renegotiate = false;
  participant.offeredSlots = participant.slots.size();
  context_.emit({MediaEvent::Type::SubscriberOffer, roomId_, participant.id(), offer, std::move(tracks), {}, {}, {}});
}

void Router::subscriberAnswer(const std::string& participantId, const std::string& answerText) {
  MediaParticipant* participant = find(participantId);
  if (!participant || !participant->offerOutstanding || !participant->subscriber) return;
  // Whatever is wrong with this answer, the offer it answers is settled: the next change
  // makes a new offer, so one bad answer never stops this participant's subscriptions.
  participant->offerOutstanding = false;
  auto parsed = sdp::parse(answerText);
  if (auto* problem = std::get_if<std::string>(&parsed)) {
    error(participantId, "bad answer: " + *problem);
  } else if (const auto& answer = std::get<sdp::SessionDescription>(parsed);
             answer.media.empty() || answer.media.front().fingerprint.empty()) {
    error(participantId, "the answer lacks a DTLS fingerprint");
  } else {
    const auto& first = answer.media.front();
    participant->subscriber->setRemoteParameters({first.iceUfrag, first.icePwd}, first.fingerprintAlgorithm,
                                                 first.fingerprint);
    for (std::size_t i = 0; i < participant->offeredSlots && i < participant->consumers.size(); ++i) {
      auto& consumer = participant->consumers[i];
      if (!consumer || consumer->negotiated()) continue;
      consumer->setNegotiated();
      // A new video consumer needs a key frame to start decoding; the wish waits for the
      // publisher if need be, and wishes are merged (one request per 500 ms). A simulcast
      // track's layer is chosen first (selectLayers), which asks for its key frame.
      consumer->requestKeyFrame();
    }
  }
  if (participant->renegotiate) negotiate(*participant);
}

void Router::onSubscriberConnected(MediaParticipant& participant) { requestKeyFrames(participant); }

void Router::onSubscriberDrained(MediaParticipant& participant) {
  context_.counters.backlogKeyFrames.fetch_add(1, std::memory_order_relaxed);
  requestKeyFrames(participant);
}

void Router::requestKeyFrames(MediaParticipant& participant) {
  for (auto& consumer : participant.consumers) {
    if (!consumer || !consumer->negotiated()) continue;
    consumer->requestKeyFrame();
  }
}

void Router::onTransportClosed(MediaParticipant& participant, bool publisher, const std::string& reason) {
  context_.emit({MediaEvent::Type::TransportClosed, roomId_, participant.id(), {}, {},
                 std::string(publisher ? "publishing" : "receiving") + " transport closed: " + reason, {}, {}});
}

void Router::onPublisherRtp(MediaParticipant& from, std::uint8_t* data, std::size_t length) {
  auto& counters = context_.counters;
  bump(counters.rtpReceived);
  rtp::RtpPacket packet;
  if (!packet.parse(data, length)) {
    counters.malformedRtp.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const std::int64_t now = steadyMicrosNow();
  if (from.extensions.transportCc) {
    const auto seq = packet.extension(from.extensions.transportCc);
    if (seq.size() == 2) from.twcc.onPacket(rtp::read16(seq.data()), now);
  }
  auto found = from.producerBySsrc(packet.ssrc());
  if (!found.producer) found = learnLayer(from, packet);
  Producer* producer = found.producer;
  const int layer = found.layer;
  if (!producer) {
    counters.unknownSsrc.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const ProducerLayer& source = producer->layer(static_cast<std::size_t>(layer));
  if (source.rtxSsrc && packet.ssrc() == source.rtxSsrc) {
    if (packet.payload().size() <= 2) return;  // RTX padding, sent to probe bandwidth
    if (!producer->unwrapRtx(packet, layer)) return;
  }
  if (packet.payload().empty()) return;  // padding only
  std::span<const std::uint8_t> orientation;
  if (from.extensions.videoOrientation) orientation = packet.extension(from.extensions.videoOrientation);
  const auto level = producer->kind() == MediaKind::Audio ? audioLevel(packet, from.extensions.audioLevel)
                                                          : std::nullopt;
  if (!producer->onRtp(packet, layer, now)) return;
  bump(counters.rtpByLayer[layer]);
  if (producer->kind() == MediaKind::Audio) producer->notifyAudio(packet, level);
  fanOut(*producer, layer, packet, now, orientation, Arrival::Origin);
  if (peers_.empty()) return;
  // The room's subscribers on other workers get it through their worker's copy; the SSRC
  // field names the layer there (see ShardLinks).
  packet.setSsrc(static_cast<std::uint32_t>(layer));
  for (unsigned peer : peers_) {
    if (!context_.links->pipeRtp(peer, producer->pipeId(), packet.data(), packet.size())) {
      counters.pipeDropped.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

MediaParticipant::ProducerLayerRef Router::learnLayer(MediaParticipant& from, const rtp::RtpPacket& packet) {
  // RFC 8852/8853: a rid-based layer's packets name their section (mid) and layer (rid, or
  // the repaired rid on RTX) until the publisher knows we have bound the SSRC.
  const PublisherExtensions& ids = from.extensions;
  if (!ids.mid || (!ids.rid && !ids.repairedRid)) return {};
  const auto mid = packet.extension(ids.mid);
  auto rid = ids.rid ? packet.extension(ids.rid) : std::span<const std::uint8_t>{};
  const bool rtx = rid.empty();
  if (rtx && ids.repairedRid) rid = packet.extension(ids.repairedRid);
  if (mid.empty() || rid.empty()) return {};
  const auto text = [](std::span<const std::uint8_t> bytes) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  Producer* producer = from.producerByMid(text(mid));
  if (!producer) return {};
  const int layer = producer->unboundLayer(text(rid));
  if (layer < 0) return {};
  const ProducerLayer& bound = producer->layer(static_cast<std::size_t>(layer));
  // A layer keeps its SSRC while it flows: another SSRC claiming it is refused.
  if ((rtx ? bound.rtxSsrc : bound.ssrc) != 0 && bound.flowing(steadyMicrosNow())) return {};
  producer->bindSsrc(layer, packet.ssrc(), rtx);
  return {producer, layer};
}

void Router::fanOut(Producer& producer, int layer, const rtp::RtpPacket& packet, std::int64_t now,
                    std::span<const std::uint8_t> orientation, Arrival arrival) {
  bool keyFrame = true;
  std::optional<rtp::Vp8Descriptor> vp8;
  if (producer.vp8()) {
    vp8 = rtp::parseVp8Descriptor(packet.payload());
    if (!vp8) {
      context_.counters.malformedRtp.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    keyFrame = vp8->keyFrame;
  } else {
    keyFrame = producer.isKeyFrame(packet);
  }
  // abs-send-time: 6.18 fixed-point seconds, 24 bits.
  const std::uint32_t absSendTime = static_cast<std::uint32_t>(((now << 18) / 1000000) & 0xFFFFFF);
  const Outgoing outgoing{packet, layer, keyFrame, vp8 ? &*vp8 : nullptr, absSendTime, orientation, now};
  for (Consumer* consumer : producer.consumers()) {
    webrtc::Transport* transport = consumer->subscriber().subscriber.get();
    if (!consumer->negotiated() || !transport || !transport->connected()) continue;
    forward(*consumer, *transport, outgoing);
  }
  if ((arrival == Arrival::Origin || (arrival == Arrival::Cascade && reportsSpeaker_)) && recording_.recording()) {
    recording_.onPacket(producer, layer, packet, keyFrame, outgoing.vp8, now);
  }
}

void Router::forward(Consumer& consumer, webrtc::Transport& transport, const Outgoing& o) {
  const int layerBefore = consumer.currentLayer();
  const auto rewritten = consumer.admit(o.packet, o.layer, o.keyFrame, o.vp8, o.now);
  if (!rewritten) return;
  if (layerBefore != kNoLayer && layerBefore != o.layer) {
    context_.counters.layerSwitches.fetch_add(1, std::memory_order_relaxed);
  }
  const ForwardedCodec& codec = consumer.producer().codec();
  std::uint8_t* out = transport.sendBuffer();
  std::uint8_t abs[3] = {static_cast<std::uint8_t>(o.absSendTime >> 16), static_cast<std::uint8_t>(o.absSendTime >> 8),
                         static_cast<std::uint8_t>(o.absSendTime)};
  MediaParticipant& subscriber = consumer.subscriber();
  const auto twcc = subscriber.nextTransportSeq();
  rtp::ExtensionElement elements[3];
  std::size_t count = 0;
  elements[count++] = {kSubscriberAbsSendTime, abs, 3};
  elements[count++] = {kSubscriberTransportCc, twcc.data(), 2};
  if (o.orientation.size() == 1) elements[count++] = {kSubscriberVideoOrientation, o.orientation.data(), 1};
  out[0] = 0x90;  // version 2, extension, no padding, no CSRC
  out[1] = static_cast<std::uint8_t>((o.packet.marker() ? 0x80 : 0) | codec.payloadType);
  rtp::write16(out + 2, rewritten->sequence);
  rtp::write32(out + 4, rewritten->timestamp);
  rtp::write32(out + 8, consumer.ssrc());
  std::size_t length = 12 + rtp::writeOneByteExtensions(out + 12, {elements, count});
  const auto payload = o.packet.payload();
  if (length + payload.size() + srtp::kMaxSrtpTrailer > net::kMaxDatagram) return;
  std::memcpy(out + length, payload.data(), payload.size());
  if (o.vp8) rtp::rewriteVp8Descriptor({out + length, payload.size()}, *o.vp8, rewritten->pictureId, rewritten->tl0PicIdx);
  length += payload.size();
  // Video goes first when a subscriber's path is congested (ICE-TCP); audio is kept.
  if (transport.sendRtp(out, length, net::kMaxDatagram, consumer.producer().kind() == MediaKind::Video)) {
    consumer.onSent(payload.size(), rewritten->timestamp);
    subscriber.noteSent(o.now, length);
    bump(context_.counters.rtpForwarded);
    bump(context_.counters.bytesForwarded, length);
  }
}

void Router::onPublisherRtcp(MediaParticipant& from, std::uint8_t* data, std::size_t length) {
  context_.counters.rtcpReceived.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t now = steadyMicrosNow();
  const bool ok = rtp::forEachRtcpPart({data, length}, [&](const rtp::RtcpPart& part) {
    if (part.type != rtp::kRtcpSr) return;
    rtp::SenderInfo info;
    if (!rtp::readSenderReport(part, info)) return;
    const auto [producer, layer] = from.producerBySsrc(info.ssrc);
    if (!producer || producer->layer(static_cast<std::size_t>(layer)).ssrc != info.ssrc) return;  // not RTX's
    producer->layer(static_cast<std::size_t>(layer)).stats.onSenderReport(info, now);
    for (unsigned peer : peers_) context_.links->relaySenderReport(peer, roomId_, producer->pipeId(), layer, info);
  });
  if (!ok) context_.counters.malformedRtcp.fetch_add(1, std::memory_order_relaxed);
}

void Router::onSubscriberRtcp(MediaParticipant& to, std::uint8_t* data, std::size_t length) {
  subscriberFeedback_.onRtcp(to, data, length, steadyMicrosNow());
}

void Router::requestRemoteKeyFrames() {
  // Subscribers here of a track published on another worker: the origin asks for the key frame.
  for (auto& remote : remote_) {
    if (remote.info.kind != MediaKind::Video || !context_.links) continue;
    for (std::size_t layer = 0; layer < remote.producer->layerCount(); ++layer) {
      if (remote.producer->takeKeyFrameWish(static_cast<int>(layer))) {
        context_.links->requestKeyFrame(remote.info.origin, roomId_, remote.info.pipeId, static_cast<int>(layer));
      }
    }
  }
}

void Router::tick(std::int64_t now) {
  // Layers first: a switch's key frame request goes out in this tick's feedback.
  if (now - lastLayerSelection_ >= kLayerSelectionIntervalMicros) {
    lastLayerSelection_ = now;
    selectLayers(now);
  }
  publisherFeedback_.tick(participants_, now);
  subscriberReports_.tick(participants_, now);
  if (now - lastCascadeRefresh_ >= kCascadeAnnounceMicros) {
    lastCascadeRefresh_ = now;
    refreshCascade(now);
  }
  if (now - lastRemoteKeyFrames_ >= kRemoteKeyFrameIntervalMicros) {
    lastRemoteKeyFrames_ = now;
    requestRemoteKeyFrames();
  }
  if (now - lastSpeaker_ >= kSpeakerIntervalMicros) {
    lastSpeaker_ = now;
    // Every shard follows the room's audio; one tells the room who speaks.
    if (auto speaker = speaker_.update(); speaker && reportsSpeaker_) {
      context_.emit({MediaEvent::Type::ActiveSpeaker, roomId_, *speaker, {}, {}, {}, {}, {}});
    }
  }
}

}  // namespace parley::sfu
