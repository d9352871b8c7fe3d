#include "sfu/MediaParticipant.h"

#include "common/Random.h"
#include "sfu/Router.h"

namespace parley::sfu {

MediaParticipant::MediaParticipant(Router& router, std::string id) : router_(router), id_(std::move(id)) {
  secureRandomBytes(&rtcpSsrc, sizeof rtcpSsrc);
  producers.reserve(4);
  consumers.reserve(32);
}

MediaParticipant::~MediaParticipant() = default;

MediaParticipant::ProducerLayerRef MediaParticipant::producerBySsrc(std::uint32_t ssrc) {
  for (auto& p : producers) {
    if (const int layer = p->layerOfSsrc(ssrc); layer >= 0) return {p.get(), layer};
  }
  return {};
}

Producer* MediaParticipant::producerByMid(std::string_view mid) {
  for (auto& p : producers) {
    if (p->mid() == mid) return p.get();
  }
  return nullptr;
}

Consumer* MediaParticipant::consumerBySsrc(std::uint32_t ssrc) {
  for (auto& c : consumers) {
    if (c && (c->ssrc() == ssrc || c->rtxSsrc() == ssrc)) return c.get();
  }
  return nullptr;
}

void MediaParticipant::onRtp(webrtc::Transport& transport, std::uint8_t* data, std::size_t length) {
  if (&transport == publisher.get()) router_.onPublisherRtp(*this, data, length);
}

void MediaParticipant::onRtcp(webrtc::Transport& transport, std::uint8_t* data, std::size_t length) {
  if (&transport == publisher.get()) router_.onPublisherRtcp(*this, data, length);
  else if (&transport == subscriber.get()) router_.onSubscriberRtcp(*this, data, length);
}

void MediaParticipant::onTransportConnected(webrtc::Transport& transport) {
  if (&transport == subscriber.get()) router_.onSubscriberConnected(*this);
}

void MediaParticipant::onSendBacklogCleared(webrtc::Transport& transport) {
  if (&transport == subscriber.get()) router_.onSubscriberDrained(*this);
}

void MediaParticipant::onTransportClosed(webrtc::Transport& transport, const std::string& reason) {
  router_.onTransportClosed(*this, &transport == publisher.get(), reason);
}

}  // namespace parley::sfu
