#pragma once
// How a room's router on one worker (a shard) reaches the room's shards on other workers.
// A track is published on one worker; every other worker hosting subscribers of the room
// gets a copy of the producer (announced once) and its packets (piped, decrypted, through
// a PipeRing; the SSRC field of a piped packet holds its layer's index, as the copy has no
// SSRCs of its own). Key frames asked for by remote subscribers travel back to the origin,
// for a layer.
#include <cstdint>
#include <string>

#include "rtp/Rtcp.h"
#include "sfu/MediaTypes.h"
#include "sfu/Producer.h"

namespace parley::sfu {

// What another worker needs to host a copy of a producer.
struct RemoteProducerInfo {
  std::uint32_t pipeId = 0;
  unsigned origin = 0;  // the worker where it is published
  std::string ownerId, producerId, mid;
  MediaKind kind = MediaKind::Audio;
  TrackSource source = TrackSource::Microphone;
  ForwardedCodec codec;
  std::uint8_t layers = 1;  // simulcast: up to kMaxLayers
  std::uint8_t audioLevelExtension = 0, orientationExtension = 0;  // the publisher's ids
};

class ShardLinks {
 public:
  virtual ~ShardLinks() = default;
  // The packet path: copies one decrypted RTP packet towards `worker`. False if it was lost.
  virtual bool pipeRtp(unsigned worker, std::uint32_t pipeId, const std::uint8_t* data, std::size_t length) = 0;
  // Rare events, posted to the router of `roomId` on `worker`.
  virtual void announceProducer(unsigned worker, const std::string& roomId, const RemoteProducerInfo& info) = 0;
  virtual void withdrawProducer(unsigned worker, const std::string& roomId, std::uint32_t pipeId) = 0;
  virtual void relaySenderReport(unsigned worker, const std::string& roomId, std::uint32_t pipeId, int layer,
                                 const rtp::SenderInfo& info) = 0;
  virtual void requestKeyFrame(unsigned worker, const std::string& roomId, std::uint32_t pipeId, int layer) = 0;
};

}  // namespace parley::sfu
