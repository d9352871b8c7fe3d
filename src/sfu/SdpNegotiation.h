#pragma once
// The SFU's side of offer and answer: the answer to what a publisher offers to send, and
// the offers that tell a subscriber what it will receive. Pure functions over SDP values.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "sdp/SessionDescription.h"
#include "sfu/Producer.h"

namespace parley::sfu {

// What our end of a transport looks like in SDP.
struct LocalTransport {
  std::string ufrag, pwd, fingerprint;
  std::vector<std::string> candidateIps;  // a host candidate each, the first preferred
  std::uint16_t port = 0;
  std::uint64_t sessionId = 0, sessionVersion = 0;
  std::uint16_t tcpPort = 0;  // ICE-TCP passive candidate; 0: none
};

struct PublishedTrack {
  std::string mid;
  MediaKind kind;
  // One layer, or a simulcast camera's layers as the offer lists them. Rid-based layers
  // (RFC 8853) come with no SSRC: the first packets tell it (their rid header extension).
  std::vector<LayerDescription> layers;
  std::uint8_t payloadType = 0, rtxPayloadType = 0;  // as the publisher sends them
  ForwardedCodec codec;
};

struct PublisherNegotiation {
  std::string answer;
  std::vector<PublishedTrack> tracks;  // every m-line that sends, accepted
  PublisherExtensions extensions;
  std::string remoteUfrag, remotePwd, fingerprintAlgorithm, fingerprint;
  std::size_t refusedTracks = 0;  // sending sections past maxTracks
};

// The answer to a publisher's offer: Opus for audio, VP8 (else H.264) with RTX for video,
// the header extensions we use, the server receiving only, passive DTLS, ICE-lite. Video
// may be simulcast: rid-based (RFC 8853, the first kMaxLayers rids the offer sends, when it
// also offers the rid header extension) or the legacy SSRC group "SIM" (with an FID group
// per layer for its RTX). At most
// `maxTracks` sending sections are accepted; the others are answered as rejected (and
// counted in refusedTracks).
std::variant<PublisherNegotiation, std::string> answerPublisher(const sdp::SessionDescription& offer,
                                                                const LocalTransport& local,
                                                                std::size_t maxTracks = SIZE_MAX);

struct ConsumerSlot {
  std::string mid;
  MediaKind kind;
  bool active = true;  // false: the track ended; the m-line stays, inactive
  // The subscriber has been offered this slot inactive: its old track is gone there, so the
  // m-line may carry a new track of the same kind.
  bool offeredInactive = false;
  ForwardedCodec codec;
  std::uint32_t ssrc = 0, rtxSsrc = 0;
  std::string streamId, trackId;  // msid
};

// Extension ids in our offers to subscribers.
inline constexpr std::uint8_t kSubscriberAbsSendTime = 2;
inline constexpr std::uint8_t kSubscriberVideoOrientation = 4;
inline constexpr std::uint8_t kSubscriberTransportCc = 5;

std::string offerSubscriber(const LocalTransport& local, const std::vector<ConsumerSlot>& slots);

// Fixed payload types the SFU sends, whatever the publisher used.
inline constexpr std::uint8_t kOpusPayloadType = 111;
inline constexpr std::uint8_t kVp8PayloadType = 96;
inline constexpr std::uint8_t kVp8RtxPayloadType = 97;
inline constexpr std::uint8_t kH264PayloadType = 102;
inline constexpr std::uint8_t kH264RtxPayloadType = 103;

namespace uri {
inline constexpr const char* kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr const char* kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr const char* kTransportCc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr const char* kAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr const char* kVideoOrientation = "urn:3gpp:video-orientation";
inline constexpr const char* kRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr const char* kRepairedRid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
}  // namespace uri

}  // namespace parley::sfu
