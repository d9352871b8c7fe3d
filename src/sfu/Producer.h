#pragma once
// One track a participant publishes (camera, microphone, screen): its incoming RTP streams
// (one, or a layer each for a simulcast camera, see ProducerLayer), the consumers it fans
// out to, and the observers of its audio.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtp/RtpPacket.h"
#include "sfu/MediaTypes.h"
#include "sfu/LayerSelection.h"
#include "sfu/NackGenerator.h"
#include "sfu/ProducerLayer.h"
#include "sfu/ProducerObserver.h"

namespace parley::sfu {

class Consumer;

// The codec a track uses, with the payload types the SFU itself puts on the wire.
struct ForwardedCodec {
  std::string name;       // "opus", "VP8", "H264"
  std::uint32_t clockRate = 0;
  int channels = 1;
  std::string fmtp;
  std::uint8_t payloadType = 0;     // server side, fixed per codec
  std::uint8_t rtxPayloadType = 0;  // 0: no RTX
};

// Extension ids the publisher negotiated (0: not used).
struct PublisherExtensions {
  std::uint8_t mid = 0, audioLevel = 0, transportCc = 0, absSendTime = 0, videoOrientation = 0;
  std::uint8_t rid = 0, repairedRid = 0;  // simulcast layers' names (RFC 8852)
};

// What a producer is: named fields, not positions.
struct ProducerDescription {
  std::string id;       // unique in the room, for signaling
  std::string ownerId;  // the participant who publishes it
  std::string mid;      // the publisher's m-line
  MediaKind kind = MediaKind::Audio;
  TrackSource source = TrackSource::Microphone;
  // Its encodings (one, or a simulcast camera's layers) and the publisher's payload types.
  // A copy of a producer from another worker has no SSRCs of its own (its packets arrive
  // rewritten, through a pipe, each naming its layer): as many layers, SSRCs zero.
  std::vector<LayerDescription> layers;
  std::uint8_t payloadType = 0, rtxPayloadType = 0;
  ForwardedCodec codec;
};

class Producer {
 public:
  explicit Producer(ProducerDescription description);

  const std::string& id() const { return d_.id; }
  const std::string& ownerId() const { return d_.ownerId; }
  const std::string& mid() const { return d_.mid; }
  MediaKind kind() const { return d_.kind; }
  TrackSource source() const { return d_.source; }
  const ForwardedCodec& codec() const { return d_.codec; }
  // VP8 video, known once (the media path asks for every packet; a name compare each time shows).
  bool vp8() const { return vp8_; }
  // Unique in the process: names the track in packets piped to other workers.
  std::uint32_t pipeId() const { return pipeId_; }

  std::size_t layerCount() const { return layers_.size(); }
  ProducerLayer& layer(std::size_t index) { return layers_[index]; }
  const ProducerLayer& layer(std::size_t index) const { return layers_[index]; }
  bool simulcast() const { return layers_.size() > 1; }
  // The layer whose media or RTX SSRC this is, or -1.
  int layerOfSsrc(std::uint32_t ssrc) const;
  // The layer named `rid` whose SSRC is not known yet, or -1: the first packet that names it
  // binds its SSRC (bindSsrc), once.
  int unboundLayer(std::string_view rid) const;
  void bindSsrc(int layer, std::uint32_t ssrc, bool rtx);
  // The layer LayerSelection picks among this producer's layers for a display of
  // `maxHeight` (kAnyHeight: the largest), from those flowing at `nowMicros` (or from all,
  // `everyLayerFlows`: what the publisher should keep sending), `current` kept when none flows.
  int chooseLayer(int maxHeight, int current, bool everyLayerFlows, std::int64_t nowMicros) const;

  // A packet from the publisher on `layer` (RTX already unwrapped). False to drop it: another
  // codec's, or a duplicate of one received already.
  bool onRtp(rtp::RtpPacket& packet, int layer, std::int64_t nowMicros);
  // A packet of a copy of a producer on another worker (already checked and rewritten
  // there): stored for the NACKs of subscribers here.
  void onPipedRtp(const rtp::RtpPacket& packet, int layer, std::int64_t nowMicros);
  // Turns an RTX packet of `layer` into the original it repairs, in place. False if malformed.
  bool unwrapRtx(rtp::RtpPacket& packet, int layer);
  bool isKeyFrame(const rtp::RtpPacket& packet) const;

  // Key frames, per layer: subscribers' requests are merged and reach the publisher at most
  // every 500 ms. requestKeyFrame() notes a wish; takeKeyFrameRequest() says when to send one.
  void requestKeyFrame(int layer) { layers_[static_cast<std::size_t>(layer)].keyFrameWanted = true; }
  bool takeKeyFrameRequest(int layer, std::int64_t nowMicros);
  // For a copy: takes the wish as is; the origin merges and paces them.
  bool takeKeyFrameWish(int layer) { return std::exchange(layers_[static_cast<std::size_t>(layer)].keyFrameWanted, false); }

  // Observers of its audio (the active speaker, the transcription tap); they must outlive
  // their registration. notifyAudio() hands them one packet.
  void addObserver(ProducerObserver* observer) { observers_.push_back(observer); }
  void removeObserver(ProducerObserver* observer) { std::erase(observers_, observer); }
  void notifyAudio(const rtp::RtpPacket& packet, std::optional<AudioLevel> level) const;

  std::vector<Consumer*>& consumers() { return consumers_; }

 private:
  // A VP8 packet's temporal layer (for the per-layer bitrates), and the picture size from a
  // VP8 key frame or an H.264 SPS.
  void notePicture(ProducerLayer& layer, const rtp::RtpPacket& packet);

  ProducerDescription d_;
  std::vector<ProducerLayer> layers_;
  std::vector<Consumer*> consumers_;
  std::vector<ProducerObserver*> observers_;
  std::uint32_t pipeId_;
  bool vp8_ = false, h264_ = false;
};

}  // namespace parley::sfu
