#pragma once
// One track a participant publishes (camera, microphone, screen): its incoming RTP stream,
// what the SFU must remember about it (retransmission buffer, receive statistics, missing
// packets) and the consumers it fans out to.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rtp/RtpPacket.h"
#include "sfu/MediaTypes.h"
#include "sfu/NackGenerator.h"
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

class Producer {
 public:
  Producer(std::string id, std::string mid, MediaKind kind, TrackSource source, std::uint32_t ssrc,
           std::uint32_t rtxSsrc, std::uint8_t publisherPayloadType, std::uint8_t publisherRtxPayloadType,
           ForwardedCodec codec);

  const std::string& id() const { return id_; }
  const std::string& mid() const { return mid_; }
  MediaKind kind() const { return kind_; }
  TrackSource source() const { return source_; }
  std::uint32_t ssrc() const { return ssrc_; }
  std::uint32_t rtxSsrc() const { return rtxSsrc_; }
  const ForwardedCodec& codec() const { return codec_; }
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

  RetransmissionBuffer& buffer() { return buffer_; }
  ReceiveStatistics& statistics() { return stats_; }
  NackGenerator& nacks() { return nacks_; }
  std::vector<Consumer*>& consumers() { return consumers_; }

  // Voice activity from the audio-level extension, for the active speaker.
  void onAudioLevel(std::uint8_t levelDbov, bool voice);
  // Loudness over the last interval (higher is louder), and resets it.
  std::uint32_t takeLoudness();

 private:
  std::string id_, mid_;
  MediaKind kind_;
  TrackSource source_;
  std::uint32_t ssrc_, rtxSsrc_;
  std::uint8_t publisherPt_, publisherRtxPt_;
  ForwardedCodec codec_;
  RetransmissionBuffer buffer_;
  ReceiveStatistics stats_;
  NackGenerator nacks_;
  std::vector<Consumer*> consumers_;
  std::uint32_t pipeId_;
  bool keyFrameWanted_ = false;
  std::int64_t lastKeyFrameRequest_ = 0;
  std::uint32_t loudness_ = 0;
};

}  // namespace parley::sfu
