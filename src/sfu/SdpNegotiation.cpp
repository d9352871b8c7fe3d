#include "sfu/SdpNegotiation.h"

#include <algorithm>

namespace parley::sfu {

namespace {

bool iequals(const std::string& a, const char* b) {
  return std::equal(a.begin(), a.end(), b, b + std::char_traits<char>::length(b),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

// Host candidates on each announced address: the worker's UDP port and, if it has one, its
// ICE-TCP port (RFC 6544: passive, the browser connects). Priorities (RFC 8445 5.1.2.1):
// type preference 126 for both; local preference 65535 for UDP and, for TCP, RFC 6544's
// passive host direction preference (4 << 13, plus 8191), so UDP wins whenever it works;
// each address after the first one less (RFC 8421: the order says which the server
// prefers). A foundation per address and protocol.
std::vector<std::string> candidateLines(const LocalTransport& local) {
  std::vector<std::string> lines;
  std::uint32_t foundation = 1;
  for (std::size_t i = 0; i < local.candidateIps.size() && i < 256; ++i) {
    const auto& ip = local.candidateIps[i];
    const std::uint32_t lower = static_cast<std::uint32_t>(i);
    const std::uint32_t udpPriority = (126u << 24) | ((65535u - lower) << 8) | 255u;
    lines.push_back(std::to_string(foundation++) + " 1 udp " + std::to_string(udpPriority) + " " + ip + " " +
                    std::to_string(local.port) + " typ host");
    if (local.tcpPort != 0) {
      const std::uint32_t tcpPriority = (126u << 24) | (((4u << 13) | (8191u - lower)) << 8) | 255u;
      lines.push_back(std::to_string(foundation++) + " 1 tcp " + std::to_string(tcpPriority) + " " + ip + " " +
                      std::to_string(local.tcpPort) + " typ host tcptype passive");
    }
  }
  return lines;
}

void applyTransport(sdp::MediaDescription& m, const LocalTransport& local, const char* setup) {
  sdp::setTransport(m, local.ufrag, local.pwd, local.fingerprint, setup);
  m.candidates = candidateLines(local);
  m.endOfCandidates = true;
}

const sdp::Codec* findCodec(const sdp::MediaDescription& m, const char* name, int clockRate,
                            bool (*accept)(const sdp::Codec&) = nullptr) {
  for (const auto& c : m.codecs) {
    if (iequals(c.name, name) && c.clockRate == clockRate && (!accept || accept(c))) return &c;
  }
  return nullptr;
}

const sdp::Codec* findRtx(const sdp::MediaDescription& m, int apt) {
  for (const auto& c : m.codecs) {
    if (iequals(c.name, "rtx") && c.apt() == apt) return &c;
  }
  return nullptr;
}

bool h264Acceptable(const sdp::Codec& c) {
  // Packetization mode 1 (FU-A), which every browser sends.
  return c.fmtp.find("packetization-mode=1") != std::string::npos;
}

std::uint32_t rtxOf(const sdp::MediaDescription& m, std::uint32_t ssrc) {
  for (const auto& g : m.ssrcGroups) {
    if (g.semantics == "FID" && g.ssrcs.size() == 2 && g.ssrcs[0] == ssrc) return g.ssrcs[1];
  }
  return 0;
}

// The encodings a sending section carries, lowest first as the offer lists them: its rids
// (if the rid header extension names them in packets), else the SSRCs of a SIM group, else
// its one SSRC (with RTX from an FID group). Empty: nothing says which packets are its own.
std::vector<LayerDescription> publishedLayers(const sdp::MediaDescription& m, bool ridExtension) {
  std::vector<LayerDescription> layers;
  if (m.kind == "video" && ridExtension) {
    for (const auto& id : m.simulcastSend) {
      const bool sent = std::any_of(m.rids.begin(), m.rids.end(),
                                    [&](const sdp::Rid& r) { return r.id == id && r.direction == "send"; });
      const bool repeated = std::any_of(layers.begin(), layers.end(), [&](const auto& l) { return l.rid == id; });
      if (sent && !repeated && layers.size() < kMaxLayers) layers.push_back({id, 0, 0});
    }
    if (!layers.empty()) return layers;
  }
  if (m.kind == "video") {
    for (const auto& g : m.ssrcGroups) {
      if (g.semantics != "SIM" || g.ssrcs.size() < 2) continue;
      for (std::size_t i = 0; i < g.ssrcs.size() && i < kMaxLayers; ++i) {
        layers.push_back({"", g.ssrcs[i], rtxOf(m, g.ssrcs[i])});
      }
      return layers;
    }
  }
  if (m.ssrcs.empty()) return layers;
  for (const auto& g : m.ssrcGroups) {
    if (g.semantics == "FID" && g.ssrcs.size() == 2) return {{"", g.ssrcs[0], g.ssrcs[1]}};
  }
  return {{"", m.ssrcs.front(), 0}};
}

std::vector<std::string> videoFeedback() { return {"transport-cc", "ccm fir", "nack", "nack pli"}; }

}  // namespace

std::variant<PublisherNegotiation, std::string> answerPublisher(const sdp::SessionDescription& offer,
                                                                const LocalTransport& local, std::size_t maxTracks) {
  PublisherNegotiation result;
  sdp::SessionDescription answer;
  answer.sessionId = local.sessionId;
  answer.sessionVersion = local.sessionVersion;
  answer.iceLite = true;
  if (offer.media.empty()) return std::string("the offer has no media");

  for (const auto& m : offer.media) {
    sdp::MediaDescription a;
    a.kind = m.kind;
    a.mid = m.mid;
    a.protocol = m.protocol;
    a.formats = m.formats;
    applyTransport(a, local, "passive");
    a.rtcpReducedSize = m.rtcpReducedSize;
    // Port 0 rejects a section, unless it is bundle-only (RFC 8843): then it shares the
    // BUNDLE transport like the others.
    bool accepted = m.port != 0 || m.bundleOnly;
    const bool sending = accepted && m.sends();
    if (sending && result.tracks.size() + result.refusedTracks >= maxTracks) {
      accepted = false;  // one track too many for one participant
      ++result.refusedTracks;
    }
    const sdp::Codec* codec = nullptr;
    const sdp::Codec* rtx = nullptr;
    ForwardedCodec forwarded;
    if (m.kind == "audio") {
      codec = findCodec(m, "opus", 48000);
      if (codec) forwarded = {"opus", 48000, 2, "minptime=10;useinbandfec=1", kOpusPayloadType, 0};
    } else if (m.kind == "video") {
      codec = findCodec(m, "VP8", 90000);
      if (codec) {
        forwarded = {"VP8", 90000, 1, "", kVp8PayloadType, kVp8RtxPayloadType};
      } else if ((codec = findCodec(m, "H264", 90000, h264Acceptable))) {
        forwarded = {"H264", 90000, 1, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
                     kH264PayloadType, kH264RtxPayloadType};
      }
      if (codec) rtx = findRtx(m, codec->payloadType);
    }
    if (m.mid.empty() || !codec || !accepted || !m.rtcpMux) {
      // Rejected: data channels, unknown kinds, codecs we cannot forward.
      a.port = 0;
      a.direction = "inactive";
      if (!m.codecs.empty()) {
        a.codecs = {m.codecs.front()};
        a.formats = {std::to_string(m.codecs.front().payloadType)};
      }
      a.candidates.clear();
      a.endOfCandidates = false;
      answer.media.push_back(std::move(a));
      continue;
    }
    if (m.fingerprint.empty() || m.iceUfrag.empty() || m.icePwd.empty()) {
      return std::string("the offer lacks ICE credentials or a DTLS fingerprint");
    }
    if (result.remoteUfrag.empty()) {
      result.remoteUfrag = m.iceUfrag;
      result.remotePwd = m.icePwd;
      result.fingerprintAlgorithm = m.fingerprintAlgorithm;
      result.fingerprint = m.fingerprint;
    }
    sdp::Codec chosen = *codec;
    if (m.kind == "audio") {
      chosen.fmtp = "minptime=10;useinbandfec=1";
      chosen.feedback = {"transport-cc"};
    } else {
      chosen.feedback = videoFeedback();
    }
    a.codecs = {chosen};
    a.formats = {std::to_string(chosen.payloadType)};
    if (rtx) {
      a.codecs.push_back(*rtx);
      a.formats.push_back(std::to_string(rtx->payloadType));
    }
    for (const auto& e : m.extensions) {
      const bool keep = e.uri == uri::kMid || e.uri == uri::kTransportCc || e.uri == uri::kAbsSendTime ||
                        (m.kind == "audio" && e.uri == uri::kAudioLevel) ||
                        (m.kind == "video" && (e.uri == uri::kVideoOrientation || e.uri == uri::kRid ||
                                               e.uri == uri::kRepairedRid));
      if (!keep || e.id > 14 || e.direction == "recvonly" || e.direction == "inactive") continue;
      // What the publisher only sends, we only receive (RFC 8285 section 6).
      a.extensions.push_back({e.id, e.uri, e.direction == "sendonly" ? "recvonly" : ""});
    }
    const auto idOf = [&](const char* u) { return static_cast<std::uint8_t>(std::min(14, std::max(0, a.extensionId(u)))); };
    if (!result.extensions.transportCc) result.extensions.transportCc = idOf(uri::kTransportCc);
    if (!result.extensions.mid) result.extensions.mid = idOf(uri::kMid);
    if (!result.extensions.absSendTime) result.extensions.absSendTime = idOf(uri::kAbsSendTime);
    if (m.kind == "audio" && !result.extensions.audioLevel) result.extensions.audioLevel = idOf(uri::kAudioLevel);
    if (m.kind == "video" && !result.extensions.videoOrientation) {
      result.extensions.videoOrientation = idOf(uri::kVideoOrientation);
    }
    if (m.kind == "video" && !result.extensions.rid) result.extensions.rid = idOf(uri::kRid);
    if (m.kind == "video" && !result.extensions.repairedRid) result.extensions.repairedRid = idOf(uri::kRepairedRid);
    a.direction = sending ? "recvonly" : "inactive";
    answer.bundle.push_back(m.mid);
    if (sending) {
      PublishedTrack track;
      track.mid = m.mid;
      track.kind = m.kind == "audio" ? MediaKind::Audio : MediaKind::Video;
      track.payloadType = static_cast<std::uint8_t>(codec->payloadType);
      track.rtxPayloadType = rtx ? static_cast<std::uint8_t>(rtx->payloadType) : 0;
      track.codec = forwarded;
      track.layers = publishedLayers(m, a.extensionId(uri::kRid) != 0);
      if (!track.layers.empty() && track.layers.front().rid.size()) {
        for (const auto& layer : track.layers) {
          a.rids.push_back({layer.rid, "recv"});
          a.simulcastRecv.push_back(layer.rid);
        }
      }
      if (!track.layers.empty()) result.tracks.push_back(std::move(track));
    }
    answer.media.push_back(std::move(a));
  }
  if (answer.bundle.empty()) return std::string("nothing in the offer can be received");
  result.answer = sdp::write(answer);
  return result;
}

std::string offerSubscriber(const LocalTransport& local, const std::vector<ConsumerSlot>& slots) {
  sdp::SessionDescription offer;
  offer.sessionId = local.sessionId;
  offer.sessionVersion = local.sessionVersion;
  offer.iceLite = true;
  for (const auto& slot : slots) {
    sdp::MediaDescription m;
    m.kind = slot.kind == MediaKind::Audio ? "audio" : "video";
    m.mid = slot.mid;
    applyTransport(m, local, "actpass");
    m.rtcpReducedSize = true;
    sdp::Codec codec;
    codec.payloadType = slot.codec.payloadType;
    codec.name = slot.codec.name;
    codec.clockRate = static_cast<int>(slot.codec.clockRate);
    codec.channels = slot.codec.channels;
    codec.fmtp = slot.codec.fmtp;
    codec.feedback = {"transport-cc"};
    if (slot.kind == MediaKind::Video) codec.feedback = {"transport-cc", "ccm fir", "nack", "nack pli"};
    m.codecs.push_back(codec);
    if (slot.codec.rtxPayloadType) {
      sdp::Codec rtx;
      rtx.payloadType = slot.codec.rtxPayloadType;
      rtx.name = "rtx";
      rtx.clockRate = codec.clockRate;
      rtx.fmtp = "apt=" + std::to_string(codec.payloadType);
      m.codecs.push_back(rtx);
    }
    for (const auto& c : m.codecs) m.formats.push_back(std::to_string(c.payloadType));
    m.extensions.push_back({kSubscriberAbsSendTime, uri::kAbsSendTime, ""});
    m.extensions.push_back({kSubscriberTransportCc, uri::kTransportCc, ""});
    if (slot.kind == MediaKind::Video) m.extensions.push_back({kSubscriberVideoOrientation, uri::kVideoOrientation, ""});
    m.cname = slot.streamId;
    if (slot.active) {
      m.direction = "sendonly";
      m.msid = slot.streamId + " " + slot.trackId;
      m.ssrcs.push_back(slot.ssrc);
      if (slot.rtxSsrc) {
        m.ssrcs.push_back(slot.rtxSsrc);
        m.ssrcGroups.push_back({"FID", {slot.ssrc, slot.rtxSsrc}});
      }
    } else {
      m.direction = "inactive";
    }
    offer.bundle.push_back(slot.mid);
    offer.media.push_back(std::move(m));
  }
  return sdp::write(offer);
}

}  // namespace parley::sfu
