// A subscriber's downlink: which simulcast layer (and temporal layer) each of its videos
// gets, from what it shows (LayerSelection) and what its estimated downlink pays for
// (DownlinkAllocation), the probes that find out whether the path carries more, and which
// layers publishers send. Router methods, on the worker thread.
#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "common/Clock.h"
#include "net/UdpSocket.h"
#include "rtp/RtpPacket.h"
#include "sfu/Router.h"

namespace parley::sfu {

namespace {
// What a subscriber's downlink keeps for each audio track it receives (Opus at its most).
constexpr double kAudioReserveBps = 64000;
// The tallest a video is shown (as the protocol bounds it).
constexpr int kMaxViewHeight = 8192;
constexpr double kMaxProbeBps = 8'000'000;
// A layer nobody needs is stopped only after this long: tiles that shrink and grow back (a
// layout change, a scroll) do not make the publisher's encoder stop and start.
constexpr std::int64_t kLayerOffDelay = 5'000'000;
}  // namespace

void Router::selectLayers(std::int64_t now) {
  const auto updateBitrates = [now](Producer& producer) {
    for (std::size_t i = 0; i < producer.layerCount(); ++i) producer.layer(i).updateBitrate(now);
  };
  for (auto& participant : participants_) {
    for (auto& producer : participant->producers) updateBitrates(*producer);
  }
  for (auto& remote : remote_) updateBitrates(*remote.producer);
  for (auto& participant : participants_) allocateLayers(*participant, now);
  for (auto& participant : participants_) {
    for (auto& producer : participant->producers) updatePublisherLayers(*participant, *producer, now);
  }
}

void Router::updatePublisherLayers(const MediaParticipant& owner, Producer& producer, std::int64_t now) {
  // Only rid layers can be named to the publisher's browser (RTCRtpEncodingParameters.rid).
  if (producer.kind() != MediaKind::Video || producer.layerCount() < 2 || producer.layer(0).rid.empty()) return;
  // The highest layer a subscriber here shows; all of them while the room spans workers
  // (subscribers there are not seen from here: nothing they might need is stopped).
  // The first layer (the smallest, as browsers list them) always stays on: it is what a new
  // viewer starts with and where a congested one falls back (and with every layer stopped,
  // one Firefox ESR run in four did not bring its smallest back within 30 s of a new viewer).
  int needed = peers_.empty() ? 0 : static_cast<int>(producer.layerCount()) - 1;
  for (const Consumer* consumer : producer.consumers()) needed = std::max(needed, consumer->displayLayer());
  bool changed = false;
  for (std::size_t i = 0; i < producer.layerCount(); ++i) {
    ProducerLayer& layer = producer.layer(i);
    // Every layer up to the highest needed: lower ones are where a congested subscriber goes.
    // A new track's layers are all needed at first (its subscribers are still negotiating).
    if (static_cast<int>(i) <= needed || layer.lastNeededAt == 0) layer.lastNeededAt = now;
    const bool send =
        static_cast<int>(i) <= needed || (layer.sendRequested && now - layer.lastNeededAt < kLayerOffDelay);
    if (send != layer.sendRequested) {
      layer.sendRequested = send;
      changed = true;
      (send ? context_.counters.publisherLayersOn : context_.counters.publisherLayersOff)
          .fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (!changed) return;  // the common case: nothing to build or send
  std::vector<LayerActivity> layers;
  for (std::size_t i = 0; i < producer.layerCount(); ++i) {
    layers.push_back({producer.layer(i).rid, producer.layer(i).sendRequested});
  }
  context_.emit(
      {MediaEvent::Type::PublisherLayers, roomId_, owner.id(), {}, {}, {}, producer.mid(), std::move(layers)});
}

void Router::sendProbe(MediaParticipant& participant, double targetBps, std::int64_t now) {
  webrtc::Transport* transport = participant.subscriber.get();
  if (!transport || !transport->connected()) return;
  // Padding on the RTX stream of a video being sent, as browsers probe: it decodes nothing.
  Consumer* carrier = nullptr;
  for (auto& consumer : participant.consumers) {
    if (consumer && consumer->negotiated() && consumer->rtxSsrc() && consumer->currentLayer() != kNoLayer &&
        consumer->producer().codec().rtxPayloadType) {
      carrier = consumer.get();
      break;
    }
  }
  if (!carrier) return;
  const std::int8_t cluster = participant.probe.start(targetBps, now);
  for (int i = 0; i < cc::ProbeCluster::kPackets; ++i) {
    const auto twcc = participant.nextTransportSeq();
    const rtp::ExtensionElement elements[] = {{kSubscriberTransportCc, twcc.data(), 2}};
    std::uint8_t* out = transport->sendBuffer();
    out[0] = 0xB0;  // version 2, padding, extension
    out[1] = carrier->producer().codec().rtxPayloadType;
    rtp::write16(out + 2, carrier->nextRtxSequence());
    rtp::write32(out + 4, carrier->lastTimestamp());
    rtp::write32(out + 8, carrier->rtxSsrc());
    std::size_t length = 12 + rtp::writeOneByteExtensions(out + 12, elements);
    constexpr std::size_t kPadding = 255;  // the most one packet's padding count can say
    std::memset(out + length, 0, kPadding - 1);
    out[length + kPadding - 1] = static_cast<std::uint8_t>(kPadding);
    length += kPadding;
    if (!transport->sendRtp(out, length, net::kMaxDatagram, true)) break;
    participant.noteSent(now, length, cluster);
  }
}

int Router::videoPriority(const Consumer& consumer) const {
  // A screen share first, then whoever speaks, then the others, larger tiles first.
  const Producer& producer = consumer.producer();
  if (producer.source() == TrackSource::Screen) return 0;
  if (producer.ownerId() == speaker_.current()) return 1;
  return 2 + (kMaxViewHeight - std::clamp(consumer.maxHeight(), 0, kMaxViewHeight));
}

void Router::allocateLayers(MediaParticipant& participant, std::int64_t now) {
  demands_.clear();
  videos_.clear();
  double audioBps = 0;
  for (auto& consumer : participant.consumers) {
    if (!consumer || !consumer->negotiated()) continue;
    if (consumer->producer().kind() == MediaKind::Audio) {
      audioBps += kAudioReserveBps;
      continue;
    }
    VideoDemand demand;
    demand.priority = videoPriority(*consumer);
    demand.wanted = consumer->wantedLayer(now);
    demand.current = consumer->target();
    demand.layers = consumer->producer().layerCount();
    for (std::size_t i = 0; i < demand.layers && i < kMaxLayers; ++i) {
      const ProducerLayer& layer = consumer->producer().layer(i);
      demand.layerBps[i] = layer.bitrateBps;
      demand.layerHeights[i] = layer.height;
      demand.temporalLayers[i] = layer.temporalLayers;
      demand.temporalBps[i] = layer.temporalBps;
    }
    demands_.push_back(demand);
    videos_.push_back(consumer.get());
  }
  chosen_.assign(demands_.size(), LayerChoice{});
  // Until the subscriber's feedback says otherwise, its downlink is taken as unlimited.
  const double budget = participant.downlinkFeedback ? participant.downlink.estimateBps() - audioBps : 1e12;
  allocateDownlink(budget, demands_, chosen_);
  bool limited = false;
  double wantedBps = 0;
  for (std::size_t i = 0; i < videos_.size(); ++i) {
    const VideoDemand& d = demands_[i];
    if (d.wanted == kNoLayer) continue;
    wantedBps += d.layerBps[static_cast<std::size_t>(d.wanted)];
    limited = limited || chosen_[i] != LayerChoice{d.wanted, kAllTemporal};
  }
  if (participant.downlinkFeedback && participant.probe.due(now, limited, participant.downlink.lastDecreaseMicros())) {
    // Try what the videos want (at least half as much again as the estimate): enough to
    // lift them if the path allows.
    const double estimate = participant.downlink.estimateBps();
    const double target = std::clamp(wantedBps + audioBps, 1.5 * estimate, kMaxProbeBps);
    spdlog::debug("probing {} at {:.0f} kbit/s (estimate {:.0f} kbit/s)", participant.id(), target / 1000, estimate / 1000);
    sendProbe(participant, target, now);
  }
  for (std::size_t i = 0; i < videos_.size(); ++i) {
    Consumer& consumer = *videos_[i];
    const bool wasPaused = consumer.paused();
    // A switch waits for the new layer's key frame: asked for again on every pass until it
    // comes (the producer paces the requests).
    const LayerChoice before = consumer.target();
    if (const int layer = consumer.sendLayer(chosen_[i].spatial); layer != kNoLayer) {
      consumer.producer().requestKeyFrame(layer);
    }
    consumer.setTemporalLayer(chosen_[i].temporal);
    if (consumer.target() != before) {
      spdlog::debug("{} gets {}'s video at layer {}, TID {} (estimate {:.0f} kbit/s)", participant.id(),
                    consumer.producer().ownerId(), consumer.target().spatial, consumer.target().temporal,
                    participant.downlink.estimateBps() / 1000);
    }
    if (!wasPaused && consumer.paused()) context_.counters.videoPauses.fetch_add(1, std::memory_order_relaxed);
  }
}

void Router::showTracks(const std::string& participantId, const std::vector<ShownTrack>& shown) {
  MediaParticipant* participant = find(participantId);
  if (!participant) return;
  // By mid: a message may name 512 tracks of a room of hundreds.
  std::unordered_map<std::string_view, Consumer*> videos;
  for (auto& consumer : participant->consumers) {
    if (consumer && consumer->producer().kind() == MediaKind::Video) videos.emplace(consumer->mid(), consumer.get());
  }
  for (const auto& wish : shown) {
    if (const auto found = videos.find(wish.mid); found != videos.end()) found->second->setMaxHeight(wish.height);
  }
  selectLayers(steadyMicrosNow());
}

double Router::countDownlinks(DownlinkCounts& counts) const {
  double sum = 0;
  for (const auto& participant : participants_) {
    if (!participant->downlinkFeedback) continue;
    const double bps = participant->downlink.estimateBps();
    const auto bucket = std::lower_bound(kDownlinkBuckets.begin(), kDownlinkBuckets.end(), bps) - kDownlinkBuckets.begin();
    ++counts[static_cast<std::size_t>(bucket)];
    sum += bps;
  }
  return sum;
}

std::size_t Router::countPausedVideos() const {
  std::size_t paused = 0;
  for (const auto& participant : participants_) {
    for (const auto& consumer : participant->consumers) paused += consumer && consumer->paused();
  }
  return paused;
}

}  // namespace parley::sfu
