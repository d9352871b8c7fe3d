#pragma once
// One track a participant publishes (camera, microphone, screen): its incoming RTP stream,
// what the SFU must remember about it (retransmission buffer, receive statistics, missing
// packets), the consumers it fans out to, and the observers of its audio.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rtp/RtpPacket.h"
#include "sfu/MediaTypes.h"
#include "sfu/NackGenerator.h"
#include "sfu/ProducerObserver.h"
#include "sfu/ReceiveStatistics.h"
#include "sfu/RetransmissionBuffer.h"

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
};

// What a producer is: named fields, not positions.
struct ProducerDescription {
  std::string id;       // unique in the room, for signaling
  std::string ownerId;  // the participant who publishes it
  std::string mid;      // the publisher's m-line
  MediaKind kind = MediaKind::Audio;
  TrackSource source = TrackSource::Microphone;
  // The publisher's SSRCs and payload types. A copy of a producer from another worker has
  // none of its own (its packets arrive rewritten, through a pipe): zeros.
  std::uint32_t ssrc = 0, rtxSsrc = 0;
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
  std::uint32_t ssrc() const { return d_.ssrc; }
  std::uint32_t rtxSsrc() const { return d_.rtxSsrc; }
  const ForwardedCodec& codec() const { return d_.codec; }
  // Unique in the process: names the track in packets piped to other workers.
  std::uint32_t pipeId() const { return pipeId_; }

  // A packet from the publisher (RTX already unwrapped). Returns false to drop it.
  bool onRtp(rtp::RtpPacket& packet, std::int64_t nowMicros);
  // A packet of a copy of a producer on another worker (already checked and rewritten there):
  // stored for the NACKs of subscribers here.
  void onPipedRtp(const rtp::RtpPacket& packet, std::int64_t nowMicros);
  // Turns an RTX packet into the original it repairs, in place. False if malformed.
  bool unwrapRtx(rtp::RtpPacket& packet);
  bool isKeyFrame(const rtp::RtpPacket& packet) const;

  // Key frames: subscribers' requests are merged and reach the publisher at most every
  // 500 ms. requestKeyFrame() notes a wish; takeKeyFrameRequest() says when to send one.
  void requestKeyFrame() { keyFrameWanted_ = true; }
  bool takeKeyFrameRequest(std::int64_t nowMicros);
  // For a copy: takes the wish as is; the origin merges and paces them.
  bool takeKeyFrameWish() { return std::exchange(keyFrameWanted_, false); }

  // Observers of its audio (the active speaker, the transcription tap); they must outlive
  // their registration. notifyAudio() hands them one packet.
  void addObserver(ProducerObserver* observer) { observers_.push_back(observer); }
  void removeObserver(ProducerObserver* observer) { std::erase(observers_, observer); }
  void notifyAudio(const rtp::RtpPacket& packet, std::optional<AudioLevel> level) const;

  RetransmissionBuffer& buffer() { return buffer_; }
  ReceiveStatistics& statistics() { return stats_; }
  NackGenerator& nacks() { return nacks_; }
  std::vector<Consumer*>& consumers() { return consumers_; }

 private:
  ProducerDescription d_;
  RetransmissionBuffer buffer_;
  ReceiveStatistics stats_;
  NackGenerator nacks_;
  std::vector<Consumer*> consumers_;
  std::vector<ProducerObserver*> observers_;
  std::uint32_t pipeId_;
  bool keyFrameWanted_ = false;
  std::int64_t lastKeyFrameRequest_ = 0;
};

}  // namespace parley::sfu
