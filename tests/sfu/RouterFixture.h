#pragma once
// The SFU's Router against fake transports, shared by its tests: transports that keep what
// the router sends in clear, browser-like offers and answers, packets, and a fixture of one
// room on one worker.
#include "sfu/Router.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>

#include "common/Bytes.h"
#include "common/Clock.h"
#include "rtp/Rtcp.h"
#include "rtp/RtpPacket.h"
#include "sdp/SessionDescription.h"

namespace parley::sfu {


// A transport that keeps what the router sends, in clear, and lets the test deliver packets.
class FakeTransport : public webrtc::Transport {
 public:
  explicit FakeTransport(Listener& listener, int n) : listener_(listener), ice_{"fake" + std::to_string(n), "pwd"} {}
  const webrtc::IceParameters& localIce() const override { return ice_; }
  void setRemoteParameters(webrtc::IceParameters remote, std::string, std::string) override { remote_ = remote; }
  bool connected() const override { return connected_; }
  std::uint8_t* sendBuffer() override { return buffer_.data(); }
  bool sendRtp(std::uint8_t* packet, std::size_t length, std::size_t, bool droppable) override {
    if (!connected_) return false;
    rtp.emplace_back(packet, packet + length);
    rtpDroppable.push_back(droppable);
    return true;
  }
  bool sendRtcp(std::uint8_t* packet, std::size_t length, std::size_t) override {
    if (!connected_) return false;
    rtcp.emplace_back(packet, packet + length);
    return true;
  }
  // The peer's DTLS is done and it consented: media may flow.
  void connect() {
    connected_ = true;
    listener_.onTransportConnected(*this);
  }
  // Its congested path dropped droppable packets and has drained (ICE-TCP).
  void drained() { listener_.onSendBacklogCleared(*this); }
  void deliverRtp(std::vector<std::uint8_t> packet) { listener_.onRtp(*this, packet.data(), packet.size()); }
  void deliverRtcp(std::vector<std::uint8_t> packet) { listener_.onRtcp(*this, packet.data(), packet.size()); }

  std::vector<std::vector<std::uint8_t>> rtp, rtcp;
  std::vector<bool> rtpDroppable;  // per sent RTP packet: may it be dropped first
  webrtc::IceParameters remote_;

 private:
  Listener& listener_;
  webrtc::IceParameters ice_;
  bool connected_ = false;
  std::array<std::uint8_t, 2048> buffer_{};
};

class FakeTransports : public webrtc::TransportFactory {
 public:
  std::unique_ptr<webrtc::Transport> createTransport(webrtc::Transport::Listener& listener) override {
    auto t = std::make_unique<FakeTransport>(listener, ++made);
    live[t.get()] = true;
    return t;
  }
  void releaseTransport(webrtc::Transport& t) override { live.erase(&t); }
  std::uint16_t port() const override { return 40000; }
  int made = 0;
  std::map<webrtc::Transport*, bool> live;
};

constexpr std::uint32_t kAudioSsrc = 1111, kVideoSsrc = 2222, kRtxSsrc = 3333;

// A browser-like offer: Opus (with audio level) and VP8 with RTX; `videos` camera-like tracks.
inline std::string publisherOffer(int videos = 1, std::uint32_t base = 0) {
  sdp::SessionDescription d;
  d.sessionId = 1;
  int mid = 0;
  const auto common = [&](sdp::MediaDescription& m) {
    sdp::setTransport(m, "pubufrag", "publisher-password-123", "AA:BB:CC", "actpass");
    m.mid = std::to_string(mid++);
    m.direction = "sendonly";
    d.bundle.push_back(m.mid);
  };
  sdp::MediaDescription audio;
  audio.kind = "audio";
  audio.formats = {"111"};
  audio.codecs = {{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {}}};
  audio.extensions = {{1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", ""}};
  audio.ssrcs = {base + kAudioSsrc};
  common(audio);
  d.media.push_back(audio);
  for (int v = 0; v < videos; ++v) {
    sdp::MediaDescription video;
    video.kind = "video";
    video.formats = {"96", "97"};
    video.codecs = {{96, "VP8", 90000, 1, "", {"nack", "nack pli"}}, {97, "rtx", 90000, 1, "apt=96", {}}};
    const std::uint32_t ssrc = base + kVideoSsrc + 10 * v, rtx = base + kRtxSsrc + 10 * v;
    video.ssrcs = {ssrc, rtx};
    video.ssrcGroups = {{"FID", {ssrc, rtx}}};
    common(video);
    d.media.push_back(video);
  }
  return sdp::write(d);
}

// A subscriber's answer to the server's offer: every section received, our credentials.
inline std::string answerTo(const std::string& offerText) {
  const auto offer = std::get<sdp::SessionDescription>(sdp::parse(offerText));
  sdp::SessionDescription answer;
  answer.bundle = offer.bundle;
  for (const auto& m : offer.media) {
    sdp::MediaDescription a;
    a.kind = m.kind;
    a.mid = m.mid;
    a.formats = m.formats;
    a.codecs = m.codecs;
    a.direction = m.sends() ? "recvonly" : "inactive";
    sdp::setTransport(a, "subufrag", "subscriber-password-1", "DD:EE:FF", "active");
    answer.media.push_back(a);
  }
  return sdp::write(answer);
}

inline std::vector<std::uint8_t> rtpPacket(std::uint8_t pt, std::uint32_t ssrc, std::uint16_t seq, std::size_t payload,
                                    std::uint8_t first = 0x10) {
  std::vector<std::uint8_t> p(12 + payload, 0xAB);
  p[0] = 0x80;
  p[1] = pt;
  write16(p.data() + 2, seq);
  write32(p.data() + 4, seq * 3000u);
  write32(p.data() + 8, ssrc);
  if (payload) p[12] = first;
  return p;
}

// VP8 payload descriptor: S bit, then a key frame (bit 0 of the first payload byte clear).
inline std::vector<std::uint8_t> vp8(std::uint32_t ssrc, std::uint16_t seq, bool key, std::size_t payload = 1000) {
  auto p = rtpPacket(96, ssrc, seq, payload);
  p[12] = 0x10;
  p[13] = key ? 0x00 : 0x01;
  p[14] = 0x9d;
  return p;
}


// A camera offered in three rid-named layers, as Chromium does (no SSRCs in the SDP): the
// packets name their m-line and layer in header extensions.
constexpr std::uint8_t kMidExtension = 4, kRidExtension = 10, kRepairedRidExtension = 11;

inline std::string simulcastOffer() {
  sdp::SessionDescription d;
  d.sessionId = 1;
  sdp::MediaDescription video;
  sdp::setTransport(video, "pubufrag", "publisher-password-123", "AA:BB:CC", "actpass");
  video.kind = "video";
  video.mid = "0";
  video.direction = "sendonly";
  video.formats = {"96", "97"};
  video.codecs = {{96, "VP8", 90000, 1, "", {"nack", "nack pli"}}, {97, "rtx", 90000, 1, "apt=96", {}}};
  video.extensions = {{kMidExtension, "urn:ietf:params:rtp-hdrext:sdes:mid", ""},
                      {kRidExtension, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", ""},
                      {kRepairedRidExtension, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", ""}};
  video.rids = {{"q", "send"}, {"h", "send"}, {"f", "send"}};
  video.simulcastSend = {"q", "h", "f"};
  d.bundle.push_back("0");
  d.media.push_back(video);
  return sdp::write(d);
}

// A VP8 packet of a simulcast layer: mid and rid (or repaired rid) extensions, a PictureID,
// and for a key frame the picture's size.
inline std::vector<std::uint8_t> layerPacket(std::uint32_t ssrc, std::uint16_t seq, bool key, const char* rid,
                                      std::uint16_t height, bool rtx = false) {
  std::vector<std::uint8_t> p(1200, 0);
  p[0] = 0x90;
  p[1] = rtx ? 97 : 96;
  write16(p.data() + 2, seq);
  write32(p.data() + 4, seq * 3000u);
  write32(p.data() + 8, ssrc);
  const std::uint8_t mid = '0';
  const rtp::ExtensionElement elements[] = {
      {kMidExtension, &mid, 1},
      {rtx ? kRepairedRidExtension : kRidExtension, reinterpret_cast<const std::uint8_t*>(rid),
       static_cast<std::uint8_t>(std::strlen(rid))}};
  std::size_t at = 12 + rtp::writeOneByteExtensions(p.data() + 12, elements);
  if (rtx) {
    write16(p.data() + at, seq);  // the original sequence number
    at += 2;
  }
  const std::uint16_t width = static_cast<std::uint16_t>(height * 16 / 9);
  const std::uint8_t vp8[] = {0x90, 0x80, static_cast<std::uint8_t>(0x80 | (seq >> 8)), static_cast<std::uint8_t>(seq),
                              static_cast<std::uint8_t>(key ? 0x00 : 0x01), 0, 0, 0x9d, 0x01, 0x2a,
                              static_cast<std::uint8_t>(width), static_cast<std::uint8_t>(width >> 8),
                              static_cast<std::uint8_t>(height), static_cast<std::uint8_t>(height >> 8)};
  std::memcpy(p.data() + at, vp8, sizeof vp8);
  p.resize(at + 200);
  return p;
}

// The SSRCs the PLIs in `rtcp` ask key frames of.
inline std::vector<std::uint32_t> pliTargets(const std::vector<std::vector<std::uint8_t>>& rtcp) {
  std::vector<std::uint32_t> out;
  for (const auto& packet : rtcp) {
    rtp::forEachRtcpPart({packet.data(), packet.size()}, [&](const rtp::RtcpPart& part) {
      std::uint32_t sender = 0, media = 0;
      if (part.type == rtp::kRtcpPsfb && part.count == 1 && rtp::readFeedbackSsrcs(part, sender, media)) {
        out.push_back(media);
      }
    });
  }
  return out;
}

class SfuRouterTest : public ::testing::Test {
 protected:
  FakeTransport& publisherOf(const std::string& id) {
    return static_cast<FakeTransport&>(*const_cast<MediaParticipant*>(router.participant(id))->publisher);
  }
  FakeTransport& subscriberOf(const std::string& id) {
    return static_cast<FakeTransport&>(*const_cast<MediaParticipant*>(router.participant(id))->subscriber);
  }
  std::vector<MediaEvent> take(MediaEvent::Type type, const std::string& who) {
    std::vector<MediaEvent> out;
    for (const auto& e : events)
      if (e.type == type && e.participantId == who) out.push_back(e);
    return out;
  }
  // `who` answers the offers the router makes it, as long as it makes them.
  void answerLastOffer(const std::string& who) {
    for (int i = 0; i < 10 && router.participant(who)->offerOutstanding; ++i) {
      const auto offers = take(MediaEvent::Type::SubscriberOffer, who);
      ASSERT_FALSE(offers.empty()) << who << " was never offered anything";
      router.subscriberAnswer(who, answerTo(offers.back().sdp));
    }
  }
  // Bruno receives what Ana publishes, both connected; returns Bruno's receiving transport.
  FakeTransport& anaToBruno() {
    router.join("bruno");
    joinAndPublish("ana");
    answerLastOffer("bruno");
    auto& down = subscriberOf("bruno");
    down.connect();
    return down;
  }
  // Ana publishes a camera in three rid layers (180p, 360p, 720p), one key frame of each
  // delivered; Bruno receives it, connected. Returns Bruno's receiving transport.
  FakeTransport& simulcastAnaToBruno() {
    router.join("bruno");
    router.join("ana");
    router.publish("ana", simulcastOffer(), {});
    publisherOf("ana").connect();
    answerLastOffer("bruno");
    auto& down = subscriberOf("bruno");
    down.connect();
    for (int l = 0; l < 3; ++l) publisherOf("ana").deliverRtp(layerPacket(501 + l, 100, true, kRids[l], kHeights[l]));
    return down;
  }
  static constexpr const char* kRids[] = {"q", "h", "f"};
  static constexpr std::uint16_t kHeights[] = {180, 360, 720};
  // `who` joins and publishes microphone and camera; connected both ways.
  void joinAndPublish(const std::string& who, std::uint32_t base = 0, int videos = 1) {
    router.join(who);
    router.publish(who, publisherOffer(videos, base), {});
    publisherOf(who).connect();
  }

  FakeTransports transports;
  MediaCounters counters;
  std::vector<MediaEvent> events;
  RouterContext context{transports, "AA:AA", {"127.0.0.1"}, counters,
                        [this](MediaEvent e) { events.push_back(std::move(e)); }};
  Router router{context, "room"};
};


}  // namespace parley::sfu
