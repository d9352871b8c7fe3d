#pragma once
// SDP for WebRTC (RFC 8866, unified plan per RFC 8829): the parts an SFU reads from a
// browser's offer or answer and writes in its own. Parsing is bounded and never throws.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley::sdp {

// A subscriber in a room of 100 people with camera, microphone and a few screens receives
// about 200 to 400 media sections; each is well under 2 KiB in a browser's answer.
inline constexpr std::size_t kMaxSdpBytes = 768 * 1024;
inline constexpr std::size_t kMaxMediaSections = 512;

struct Codec {
  int payloadType = 0;
  std::string name;  // as written, e.g. "opus", "VP8", "rtx"
  int clockRate = 0;
  int channels = 1;
  std::string fmtp;
  std::vector<std::string> feedback;  // a=rtcp-fb values, e.g. "nack pli"
  int apt() const;  // rtx: the payload type it repairs, -1 otherwise
};

struct Extension {
  int id = 0;
  std::string uri;
  std::string direction;  // RFC 8285 "a=extmap:ID/DIRECTION": sendonly, recvonly...; empty: both
};

struct SsrcGroup {
  std::string semantics;  // "FID", "SIM"
  std::vector<std::uint32_t> ssrcs;
};

// RFC 8851: a restriction identifier names one encoding of a section (a simulcast layer).
struct Rid {
  std::string id;         // letters, digits, '-' and '_', at most kMaxRidLength
  std::string direction;  // "send" or "recv"
};
inline constexpr std::size_t kMaxRidLength = 16;
inline constexpr std::size_t kMaxRids = 8;

struct MediaDescription {
  std::string kind;  // audio, video, application
  int port = 9;
  std::string protocol = "UDP/TLS/RTP/SAVPF";
  std::vector<std::string> formats;
  std::string mid;
  std::string direction = "sendrecv";
  std::vector<Codec> codecs;
  std::vector<Extension> extensions;
  std::vector<std::uint32_t> ssrcs;
  std::vector<SsrcGroup> ssrcGroups;
  std::string cname;
  std::string msid;  // "stream track"
  std::string iceUfrag, icePwd;
  std::string fingerprintAlgorithm, fingerprint;
  std::string setup;
  bool rtcpMux = false;
  bool rtcpReducedSize = false;
  bool simulcast = false;  // has a=simulcast or a=rid
  std::vector<Rid> rids;
  // RFC 8853 a=simulcast: the rids it sends or receives, in the order written, each the first
  // of its alternatives, without the paused mark '~'.
  std::vector<std::string> simulcastSend, simulcastRecv;
  // RFC 8843: a BUNDLE'd section offered with port 0 that is not rejected (Firefox does this
  // for every section after the first).
  bool bundleOnly = false;
  std::vector<std::string> candidates;  // a=candidate values
  bool endOfCandidates = false;

  const Codec* codec(int payloadType) const;
  int extensionId(std::string_view uri) const;  // 0 if absent
  bool sends() const { return direction == "sendrecv" || direction == "sendonly"; }
};

struct SessionDescription {
  std::uint64_t sessionId = 0;
  std::uint64_t sessionVersion = 0;
  bool iceLite = false;
  std::string iceUfrag, icePwd, fingerprintAlgorithm, fingerprint, setup;  // session level
  std::vector<std::string> bundle;
  std::vector<MediaDescription> media;
};

// Parses `text`; the error says what is wrong, for the client and the logs. Session-level
// ICE, fingerprint and setup attributes are copied into media sections that lack them.
std::variant<SessionDescription, std::string> parse(std::string_view text);

std::string write(const SessionDescription& description);

// The transport lines of a BUNDLEd, rtcp-muxed DTLS-SRTP section: ICE credentials, the
// certificate's SHA-256 fingerprint and the DTLS setup role.
void setTransport(MediaDescription& m, const std::string& ufrag, const std::string& pwd, const std::string& fingerprint,
                  const std::string& setup);

}  // namespace parley::sdp
