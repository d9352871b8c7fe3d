#include "common/Clock.h"
#include "sfu/Router.h"

#include <algorithm>
#include <chrono>

#include "common/Random.h"
#include "rtp/Rtcp.h"
#include "rtp/RtpPacket.h"
#include "webrtc/WebRtcServer.h"

namespace parley::sfu {

namespace {

constexpr std::int64_t kNackIntervalMicros = 40000;
constexpr std::int64_t kFeedbackIntervalMicros = 100000;
constexpr std::int64_t kReportIntervalMicros = 1000000;
constexpr std::int64_t kSpeakerIntervalMicros = 500000;

std::int64_t wallMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::uint32_t randomSsrc() {
  std::uint32_t ssrc = 0;
  while (ssrc == 0) secureRandomBytes(&ssrc, sizeof ssrc);
  return ssrc;
}

}  // namespace

Router::Router(RouterContext context, std::string roomId) : context_(std::move(context)), roomId_(std::move(roomId)) {
  scratchSeqs_.reserve(256);
  scratchBlocks_.reserve(31);
}

Router::~Router() {
  if (context_.piped) {
    for (auto& remote : remote_) context_.piped->erase(remote.info.pipeId);
  }
  for (auto& p : participants_) {
    if (p->publisher) context_.server.removeTransport(*p->publisher);
    if (p->subscriber) context_.server.removeTransport(*p->subscriber);
  }
}

MediaParticipant* Router::find(const std::string& id) {
  for (auto& p : participants_) {
    if (p->id() == id) return p.get();
  }
  return nullptr;
}

void Router::error(const std::string& participantId, const std::string& message) {
  context_.counters.rejectedSdp.fetch_add(1, std::memory_order_relaxed);
  context_.emit({MediaEvent::Type::Error, roomId_, participantId, {}, {}, message});
}

std::unique_ptr<webrtc::WebRtcTransport> Router::createTransport(MediaParticipant& participant) {
  return context_.server.createTransport(dtls::DtlsTransport::Role::Server, webrtc::WebRtcTransport::IceRole::Lite,
                                         participant, context_.certificate);
}

LocalTransport Router::localTransport(const webrtc::WebRtcTransport& transport, std::uint64_t version) const {
  return {transport.localIce().ufrag, transport.localIce().pwd, context_.certificate->fingerprint(),
          context_.announcedIp,       context_.server.port(),   0x5041524C4559ull /* "PARLEY" */, version};
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
  if (leaving.publisher) context_.server.removeTransport(*leaving.publisher);
  if (leaving.subscriber) context_.server.removeTransport(*leaving.subscriber);
  if (activeSpeaker_ == participantId) activeSpeaker_.clear();
  participants_.erase(it);
}

void Router::addConsumer(MediaParticipant& subscriber, Producer& producer, const std::string& ownerId) {
  const std::string mid = std::to_string(subscriber.slots.size());
  const std::uint32_t rtxSsrc = producer.codec().rtxPayloadType ? randomSsrc() : 0;
  auto consumer = std::make_unique<Consumer>(producer, &subscriber, mid, randomSsrc(), rtxSsrc);
  producer.consumers().push_back(consumer.get());
  subscriber.slots.push_back({mid, producer.kind(), true, producer.codec(), consumer->ssrc(), rtxSsrc, ownerId,
                              producer.id()});
  subscriber.consumers.push_back(std::move(consumer));
}

void Router::closeProducer(MediaParticipant& owner, Producer& producer) {
  if (context_.links) {
    for (unsigned peer : peers_) context_.links->withdrawProducer(peer, roomId_, producer.pipeId());
  }
  dropConsumersOf(producer);
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
  if (!participant->publisher) participant->publisher = createTransport(*participant);
  auto negotiated = answerPublisher(std::get<sdp::SessionDescription>(parsed),
                                    localTransport(*participant->publisher, ++participant->publishVersion));
  if (auto* problem = std::get_if<std::string>(&negotiated)) return error(participantId, *problem);
  auto& result = std::get<PublisherNegotiation>(negotiated);
  participant->publisher->setRemoteParameters({result.remoteUfrag, result.remotePwd}, result.fingerprintAlgorithm,
                                              result.fingerprint);
  participant->extensions = result.extensions;
  for (const auto& [mid, source] : sources) participant->sources[mid] = source;

  // Tracks that stopped, or changed SSRC, end their producers.
  std::vector<Producer*> ended;
  for (auto& producer : participant->producers) {
    const auto still = std::find_if(result.tracks.begin(), result.tracks.end(), [&](const PublishedTrack& t) {
      return t.mid == producer->mid() && t.ssrc == producer->ssrc();
    });
    if (still == result.tracks.end()) ended.push_back(producer.get());
  }
  for (Producer* producer : ended) closeProducer(*participant, *producer);
  // New tracks start producers and reach everyone else.
  for (const auto& track : result.tracks) {
    if (participant->producerBySsrc(track.ssrc)) continue;
    if (participant->producers.size() >= 8) break;  // camera, microphone, screen and its audio are plenty
    TrackSource source = track.kind == MediaKind::Audio ? TrackSource::Microphone : TrackSource::Camera;
    if (const auto it = participant->sources.find(track.mid); it != participant->sources.end()) source = it->second;
    participant->producers.push_back(std::make_unique<Producer>(randomToken(9), track.mid, track.kind, source,
                                                                track.ssrc, track.rtxSsrc, track.payloadType,
                                                                track.rtxPayloadType, track.codec));
    Producer& producer = *participant->producers.back();
    for (auto& other : participants_) {
      if (other.get() == participant) continue;
      addConsumer(*other, producer, participant->id());
      negotiate(*other);
    }
    if (context_.links) {
      for (unsigned peer : peers_) context_.links->announceProducer(peer, roomId_, describe(*participant, producer));
    }
  }
  context_.emit({MediaEvent::Type::PublisherAnswer, roomId_, participantId, result.answer, {}, {}});
}

void Router::negotiate(MediaParticipant& participant) {
  if (participant.offerOutstanding) {
    participant.renegotiate = true;
    return;
  }
  if (participant.slots.empty()) return;
  if (!participant.subscriber) participant.subscriber = createTransport(participant);
  std::vector<RemoteTrack> tracks;
  for (std::size_t i = 0; i < participant.slots.size(); ++i) {
    const auto& slot = participant.slots[i];
    if (!slot.active || !participant.consumers[i]) continue;
    const Producer& producer = participant.consumers[i]->producer();
    tracks.push_back({slot.mid, slot.streamId, producer.source(), producer.kind()});
  }
  const std::string offer =
      offerSubscriber(localTransport(*participant.subscriber, ++participant.subscribeVersion), participant.slots);
  participant.offerOutstanding = true;
  participant.renegotiate = false;
  participant.offeredSlots = participant.slots.size();
  context_.emit({MediaEvent::Type::SubscriberOffer, roomId_, participant.id(), offer, std::move(tracks), {}});
}

void Router::subscriberAnswer(const std::string& participantId, const std::string& answerText) {
  MediaParticipant* participant = find(participantId);
  if (!participant || !participant->offerOutstanding || !participant->subscriber) return;
  auto parsed = sdp::parse(answerText);
  if (auto* problem = std::get_if<std::string>(&parsed)) return error(participantId, "bad answer: " + *problem);
  const auto& answer = std::get<sdp::SessionDescription>(parsed);
  if (answer.media.empty() || answer.media.front().fingerprint.empty()) {
    return error(participantId, "the answer lacks a DTLS fingerprint");
  }
  const auto& first = answer.media.front();
  participant->subscriber->setRemoteParameters({first.iceUfrag, first.icePwd}, first.fingerprintAlgorithm,
                                               first.fingerprint);
  participant->offerOutstanding = false;
  for (std::size_t i = 0; i < participant->offeredSlots && i < participant->consumers.size(); ++i) {
    auto& consumer = participant->consumers[i];
    if (!consumer || consumer->negotiated()) continue;
    consumer->setNegotiated();
    // A new subscriber needs a key frame to start decoding.
    if (participant->subscriber->connected()) consumer->producer().requestKeyFrame();
  }
  if (participant->renegotiate) negotiate(*participant);
}

void Router::onSubscriberConnected(MediaParticipant& participant) {
  for (auto& consumer : participant.consumers) {
    if (consumer && consumer->negotiated()) consumer->producer().requestKeyFrame();
  }
}

void Router::onTransportClosed(MediaParticipant& participant, bool publisher, const std::string& reason) {
  context_.emit({MediaEvent::Type::TransportClosed, roomId_, participant.id(), {}, {},
                 std::string(publisher ? "publishing" : "receiving") + " transport closed: " + reason});
}

void Router::onPublisherRtp(MediaParticipant& from, std::uint8_t* data, std::size_t length) {
  auto& counters = context_.counters;
  counters.rtpReceived.fetch_add(1, std::memory_order_relaxed);
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
  Producer* producer = from.producerBySsrc(packet.ssrc());
  if (!producer) {
    counters.unknownSsrc.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (producer->rtxSsrc() && packet.ssrc() == producer->rtxSsrc()) {
    if (packet.payload().size() <= 2) return;  // RTX padding, sent to probe bandwidth
    if (!producer->unwrapRtx(packet)) return;
  }
  if (packet.payload().empty()) return;  // padding only
  if (producer->kind() == MediaKind::Audio && from.extensions.audioLevel) {
    const auto level = packet.extension(from.extensions.audioLevel);
    if (level.size() >= 1) producer->onAudioLevel(level[0] & 0x7F, level[0] & 0x80);
  }
  std::span<const std::uint8_t> orientation;
  if (from.extensions.videoOrientation) orientation = packet.extension(from.extensions.videoOrientation);
  if (!producer->onRtp(packet, now)) return;
  if (audioTap_ && producer->kind() == MediaKind::Audio && producer->source() == TrackSource::Microphone) {
    audioTap_->onOpusPacket(from.id(), packet.payload().data(), packet.payload().size(), packet.timestamp());
  }
  fanOut(*producer, packet, now, orientation);
  // The room's subscribers on other workers get it through their worker's copy.
  for (unsigned peer : peers_) {
    if (!context_.links->pipeRtp(peer, producer->pipeId(), packet.data(), packet.size())) {
      counters.pipeDropped.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void Router::fanOut(Producer& producer, const rtp::RtpPacket& packet, std::int64_t now,
                    std::span<const std::uint8_t> orientation) {
  const bool keyFrame = producer.isKeyFrame(packet);
  // abs-send-time: 6.18 fixed-point seconds, 24 bits.
  const std::uint32_t absSendTime = static_cast<std::uint32_t>(((now << 18) / 1000000) & 0xFFFFFF);
  for (Consumer* consumer : producer.consumers()) {
    webrtc::WebRtcTransport* transport = consumer->subscriber().subscriber.get();
    if (!consumer->negotiated() || !transport || !transport->connected()) continue;
    forward(*consumer, *transport, packet, keyFrame, absSendTime, orientation);
  }
}

void Router::forward(Consumer& consumer, webrtc::WebRtcTransport& transport, const rtp::RtpPacket& packet,
                     bool keyFrame, std::uint32_t absSendTime, std::span<const std::uint8_t> orientation) {
  std::uint16_t outSeq = 0;
  if (!consumer.admit(packet, keyFrame, outSeq)) return;
  const ForwardedCodec& codec = consumer.producer().codec();
  std::uint8_t* out = context_.server.socket().sendBuffer();
  std::uint8_t abs[3] = {static_cast<std::uint8_t>(absSendTime >> 16), static_cast<std::uint8_t>(absSendTime >> 8),
                         static_cast<std::uint8_t>(absSendTime)};
  rtp::ExtensionElement elements[2];
  std::size_t count = 0;
  elements[count++] = {kSubscriberAbsSendTime, abs, 3};
  if (orientation.size() == 1) elements[count++] = {kSubscriberVideoOrientation, orientation.data(), 1};
  out[0] = 0x90;  // version 2, extension, no padding, no CSRC
  out[1] = static_cast<std::uint8_t>((packet.marker() ? 0x80 : 0) | codec.payloadType);
  rtp::write16(out + 2, outSeq);
  rtp::write32(out + 4, packet.timestamp());
  rtp::write32(out + 8, consumer.ssrc());
  std::size_t length = 12 + rtp::writeOneByteExtensions(out + 12, {elements, count});
  const auto payload = packet.payload();
  if (length + payload.size() + srtp::kMaxSrtpTrailer > net::kMaxDatagram) return;
  std::memcpy(out + length, payload.data(), payload.size());
  length += payload.size();
  if (transport.sendRtp(out, length, net::kMaxDatagram)) {
    consumer.onSent(payload.size(), packet.timestamp());
    context_.counters.rtpForwarded.fetch_add(1, std::memory_order_relaxed);
    context_.counters.bytesForwarded.fetch_add(length, std::memory_order_relaxed);
  }
}

void Router::retransmit(Consumer& consumer, webrtc::WebRtcTransport& transport, std::uint16_t outSeq,
                        std::int64_t now) {
  std::uint16_t inSeq = 0;
  if (!consumer.mapNackedSequence(outSeq, inSeq)) return;
  std::size_t storedLength = 0;
  const std::uint8_t* stored = consumer.producer().buffer().find(inSeq, now, storedLength);
  if (!stored) return;
  std::uint8_t copy[RetransmissionBuffer::kSlotBytes];
  std::memcpy(copy, stored, storedLength);
  rtp::RtpPacket packet;
  if (!packet.parse(copy, storedLength)) return;
  const ForwardedCodec& codec = consumer.producer().codec();
  std::uint8_t* out = context_.server.socket().sendBuffer();
  std::size_t length = 12;
  const auto payload = packet.payload();
  out[0] = 0x80;
  out[1] = static_cast<std::uint8_t>(packet.marker() ? 0x80 : 0);
  rtp::write32(out + 4, packet.timestamp());
  if (consumer.rtxSsrc() && codec.rtxPayloadType) {
    // RFC 4588: the original sequence number, then the original payload.
    out[1] |= codec.rtxPayloadType;
    rtp::write16(out + 2, consumer.nextRtxSequence());
    rtp::write32(out + 8, consumer.rtxSsrc());
    rtp::write16(out + 12, outSeq);
    length += 2;
  } else {
    out[1] |= codec.payloadType;
    rtp::write16(out + 2, outSeq);
    rtp::write32(out + 8, consumer.ssrc());
  }
  if (length + payload.size() + srtp::kMaxSrtpTrailer > net::kMaxDatagram) return;
  std::memcpy(out + length, payload.data(), payload.size());
  length += payload.size();
  if (transport.sendRtp(out, length, net::kMaxDatagram)) {
    context_.counters.retransmissions.fetch_add(1, std::memory_order_relaxed);
  }
}

void Router::onPublisherRtcp(MediaParticipant& from, std::uint8_t* data, std::size_t length) {
  context_.counters.rtcpReceived.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t now = steadyMicrosNow();
  const bool ok = rtp::forEachRtcpPart({data, length}, [&](const rtp::RtcpPart& part) {
    if (part.type != rtp::kRtcpSr) return;
    rtp::SenderInfo info;
    if (!rtp::readSenderReport(part, info)) return;
    Producer* producer = from.producerBySsrc(info.ssrc);
    if (!producer) return;
    producer->statistics().onSenderReport(info, now);
    for (unsigned peer : peers_) context_.links->relaySenderReport(peer, roomId_, producer->pipeId(), info);
  });
  if (!ok) context_.counters.malformedRtcp.fetch_add(1, std::memory_order_relaxed);
}

void Router::onSubscriberRtcp(MediaParticipant& to, std::uint8_t* data, std::size_t length) {
  context_.counters.rtcpReceived.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t now = steadyMicrosNow();
  const bool ok = rtp::forEachRtcpPart({data, length}, [&](const rtp::RtcpPart& part) {
    std::uint32_t sender = 0, media = 0;
    if (part.type == rtp::kRtcpPsfb && part.count == 1 && rtp::readFeedbackSsrcs(part, sender, media)) {
      context_.counters.plisReceived.fetch_add(1, std::memory_order_relaxed);
      if (Consumer* consumer = to.consumerBySsrc(media)) consumer->producer().requestKeyFrame();
    } else if (part.type == rtp::kRtcpPsfb && part.count == 4) {
      std::vector<std::uint32_t> ssrcs;
      rtp::readFir(part, ssrcs);
      context_.counters.plisReceived.fetch_add(1, std::memory_order_relaxed);
      for (auto ssrc : ssrcs) {
        if (Consumer* consumer = to.consumerBySsrc(ssrc)) consumer->producer().requestKeyFrame();
      }
    } else if (part.type == rtp::kRtcpRtpfb && part.count == 1 && rtp::readFeedbackSsrcs(part, sender, media)) {
      Consumer* consumer = to.consumerBySsrc(media);
      scratchSeqs_.clear();
      if (!consumer || !rtp::readNack(part, scratchSeqs_) || !to.subscriber) return;
      context_.counters.nacksReceived.fetch_add(1, std::memory_order_relaxed);
      for (std::size_t i = 0; i < scratchSeqs_.size() && i < 64; ++i) {
        retransmit(*consumer, *to.subscriber, scratchSeqs_[i], now);
      }
    }
  });
  if (!ok) context_.counters.malformedRtcp.fetch_add(1, std::memory_order_relaxed);
}

void Router::requestRetransmissions(std::int64_t now) {
  // Subscribers here of a track published on another worker: the origin asks for the key frame.
  for (auto& remote : remote_) {
    if (remote.producer->takeKeyFrameWish() && remote.info.kind == MediaKind::Video && context_.links) {
      context_.links->requestKeyFrame(remote.info.origin, roomId_, remote.info.pipeId);
    }
  }
  for (auto& p : participants_) {
    if (!p->publisher || !p->publisher->connected()) continue;
    for (auto& producer : p->producers) {
      scratchSeqs_.clear();
      if (producer->nacks().collect(now, scratchSeqs_)) producer->requestKeyFrame();
      if (!scratchSeqs_.empty()) {
        std::uint8_t* out = context_.server.socket().sendBuffer();
        const std::size_t length = rtp::writeNack(out, p->rtcpSsrc, producer->ssrc(), scratchSeqs_);
        if (length && p->publisher->sendRtcp(out, length, net::kMaxDatagram)) {
          context_.counters.nacksSent.fetch_add(1, std::memory_order_relaxed);
        }
      }
      if (producer->takeKeyFrameRequest(now)) {
        std::uint8_t* out = context_.server.socket().sendBuffer();
        const std::size_t length = rtp::writePli(out, p->rtcpSsrc, producer->ssrc());
        if (p->publisher->sendRtcp(out, length, net::kMaxDatagram)) {
          context_.counters.keyFrameRequests.fetch_add(1, std::memory_order_relaxed);
        }
      }
    }
  }
}

void Router::sendFeedback(std::int64_t) {
  for (auto& p : participants_) {
    if (!p->publisher || !p->publisher->connected() || !p->extensions.transportCc || p->producers.empty()) continue;
    std::uint8_t* out = context_.server.socket().sendBuffer();
    const std::size_t length = p->twcc.writeFeedback(out, rtp::kMaxTransportFeedbackBytes, p->rtcpSsrc,
                                                     p->producers.front()->ssrc());
    if (length && p->publisher->sendRtcp(out, length, net::kMaxDatagram)) {
      context_.counters.twccFeedbackSent.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

void Router::sendReports(std::int64_t now) {
  const std::int64_t wall = wallMicros();
  for (auto& p : participants_) {
    // Receiver reports to the publisher about each of its tracks.
    if (p->publisher && p->publisher->connected() && !p->producers.empty()) {
      scratchBlocks_.clear();
      for (auto& producer : p->producers) {
        if (producer->statistics().packetsReceived() == 0) continue;
        scratchBlocks_.push_back(producer->statistics().makeReportBlock(producer->ssrc(), now));
      }
      if (!scratchBlocks_.empty()) {
        std::uint8_t* out = context_.server.socket().sendBuffer();
        const std::size_t length = rtp::writeReceiverReport(out, p->rtcpSsrc, scratchBlocks_);
        p->publisher->sendRtcp(out, length, net::kMaxDatagram);
      }
    }
    // Sender reports to the subscriber for each track it receives, on the publisher's
    // clock mapping (timestamps pass through unchanged), so it can sync audio and video.
    if (p->subscriber && p->subscriber->connected()) {
      for (auto& consumer : p->consumers) {
        if (!consumer || consumer->packetsSent() == 0) continue;
        auto& stats = consumer->producer().statistics();
        if (!stats.hasSenderReport()) continue;
        const auto& sr = stats.lastSenderReport();
        const std::int64_t elapsed = now - stats.lastSenderReportArrival();
        rtp::SenderInfo info;
        info.ssrc = consumer->ssrc();
        info.ntp = rtp::ntpFromUnixMicros(static_cast<std::uint64_t>(wall));
        // Advance the sender's NTP-to-RTP mapping by the time since its report.
        const std::uint64_t srNtpMicros = ((sr.ntp >> 32) - 2208988800ull) * 1000000 +
                                          (((sr.ntp & 0xFFFFFFFF) * 1000000) >> 32);
        info.ntp = rtp::ntpFromUnixMicros(srNtpMicros + static_cast<std::uint64_t>(elapsed));
        info.rtpTimestamp = sr.rtpTimestamp +
                            static_cast<std::uint32_t>(elapsed * consumer->producer().codec().clockRate / 1000000);
        info.packetCount = consumer->packetsSent();
        info.octetCount = consumer->octetsSent();
        std::uint8_t* out = context_.server.socket().sendBuffer();
        const std::size_t length = rtp::writeSenderReport(out, info);
        p->subscriber->sendRtcp(out, length, net::kMaxDatagram);
      }
    }
    const auto steady = std::chrono::steady_clock::now();
    if (p->publisher) p->publisher->checkConsent(steady);
    if (p->subscriber) p->subscriber->checkConsent(steady);
  }
}

void Router::updateActiveSpeaker() {
  std::string loudest;
  std::uint32_t best = 0;
  for (auto& p : participants_) {
    for (auto& producer : p->producers) {
      if (producer->kind() != MediaKind::Audio) continue;
      const std::uint32_t loudness = producer->takeLoudness();
      if (loudness > best) {
        best = loudness;
        loudest = p->id();
      }
    }
  }
  for (auto& remote : remote_) {
    if (remote.producer->kind() != MediaKind::Audio) continue;
    const std::uint32_t loudness = remote.producer->takeLoudness();
    if (loudness > best) {
      best = loudness;
      loudest = remote.info.ownerId;
    }
  }
  // Keep the current speaker through short pauses: change only to someone who speaks.
  if (!reportsSpeaker_) return;
  if (!loudest.empty() && loudest != activeSpeaker_) {
    activeSpeaker_ = loudest;
    context_.emit({MediaEvent::Type::ActiveSpeaker, roomId_, loudest, {}, {}, {}});
  }
}

void Router::tick(std::int64_t now) {
  if (now - lastNack_ >= kNackIntervalMicros) {
    lastNack_ = now;
    requestRetransmissions(now);
  }
  if (now - lastFeedback_ >= kFeedbackIntervalMicros) {
    lastFeedback_ = now;
    sendFeedback(now);
  }
  if (now - lastSpeaker_ >= kSpeakerIntervalMicros) {
    lastSpeaker_ = now;
    updateActiveSpeaker();
  }
  if (now - lastReport_ >= kReportIntervalMicros) {
    lastReport_ = now;
    sendReports(now);
  }
}

}  // namespace parley::sfu
