// The SFU's Router against fake transports: what it negotiates, forwards, repairs and
// refuses, packet by packet, with no sockets, ICE, DTLS or SRTP in the way.
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

namespace {

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
std::string publisherOffer(int videos = 1, std::uint32_t base = 0) {
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
std::string answerTo(const std::string& offerText) {
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

std::vector<std::uint8_t> rtpPacket(std::uint8_t pt, std::uint32_t ssrc, std::uint16_t seq, std::size_t payload,
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
std::vector<std::uint8_t> vp8(std::uint32_t ssrc, std::uint16_t seq, bool key, std::size_t payload = 1000) {
  auto p = rtpPacket(96, ssrc, seq, payload);
  p[12] = 0x10;
  p[13] = key ? 0x00 : 0x01;
  p[14] = 0x9d;
  return p;
}


// A camera offered in three rid-named layers, as Chromium does (no SSRCs in the SDP): the
// packets name their m-line and layer in header extensions.
constexpr std::uint8_t kMidExtension = 4, kRidExtension = 10, kRepairedRidExtension = 11;

std::string simulcastOffer() {
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
std::vector<std::uint8_t> layerPacket(std::uint32_t ssrc, std::uint16_t seq, bool key, const char* rid,
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
std::vector<std::uint32_t> pliTargets(const std::vector<std::vector<std::uint8_t>>& rtcp) {
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

}  // namespace

TEST_F(SfuRouterTest, PublishingOffersTheTracksToEveryoneElse) {
  router.join("bruno");
  joinAndPublish("ana");
  ASSERT_EQ(take(MediaEvent::Type::PublisherAnswer, "ana").size(), 1u);
  const auto offers = take(MediaEvent::Type::SubscriberOffer, "bruno");
  ASSERT_EQ(offers.size(), 1u);
  ASSERT_EQ(offers[0].tracks.size(), 2u);
  EXPECT_EQ(offers[0].tracks[0].participantId, "ana");
  EXPECT_EQ(offers[0].tracks[0].source, TrackSource::Microphone);
  EXPECT_EQ(offers[0].tracks[1].source, TrackSource::Camera);
  EXPECT_TRUE(take(MediaEvent::Type::SubscriberOffer, "ana").empty()) << "nobody else publishes";
  const auto answer = std::get<sdp::SessionDescription>(sdp::parse(take(MediaEvent::Type::PublisherAnswer, "ana")[0].sdp));
  EXPECT_TRUE(answer.iceLite);
  EXPECT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(publisherOf("ana").remote_.ufrag, "pubufrag");
}

TEST_F(SfuRouterTest, ForwardsWithItsOwnSsrcAndSequenceStartingOnAKeyFrame) {
  auto& down = anaToBruno();
  auto& up = publisherOf("ana");
  up.deliverRtp(vp8(kVideoSsrc, 100, false));
  EXPECT_TRUE(down.rtp.empty()) << "video starts on a key frame";
  up.deliverRtp(vp8(kVideoSsrc, 101, true));
  up.deliverRtp(vp8(kVideoSsrc, 102, false));
  up.deliverRtp(rtpPacket(111, kAudioSsrc, 7, 80));
  ASSERT_EQ(down.rtp.size(), 3u);
  rtp::RtpPacket first, second;
  ASSERT_TRUE(first.parse(down.rtp[0].data(), down.rtp[0].size()));
  ASSERT_TRUE(second.parse(down.rtp[1].data(), down.rtp[1].size()));
  EXPECT_NE(first.ssrc(), kVideoSsrc) << "each subscriber has the track under its own SSRC";
  EXPECT_EQ(first.payloadType(), kVp8PayloadType);
  EXPECT_EQ(static_cast<std::uint16_t>(second.sequenceNumber() - first.sequenceNumber()), 1);
  EXPECT_EQ(counters.rtpForwarded.load(), 3u);
  // An unknown SSRC and garbage are counted and dropped.
  up.deliverRtp(rtpPacket(96, 999, 1, 100));
  up.deliverRtp({0x80, 1});
  EXPECT_EQ(counters.unknownSsrc.load(), 1u);
  EXPECT_EQ(counters.malformedRtp.load(), 1u);
  EXPECT_EQ(down.rtp.size(), 3u);
}

// Over a congested path (ICE-TCP), video may be dropped and audio kept; once the path has
// drained, every video the subscriber receives gets a key frame so the picture recovers.
TEST_F(SfuRouterTest, VideoIsDroppableAudioIsNotAndADrainedPathAsksForKeyFrames) {
  auto& down = anaToBruno();
  auto& up = publisherOf("ana");
  up.deliverRtp(vp8(kVideoSsrc, 101, true));
  up.deliverRtp(rtpPacket(111, kAudioSsrc, 7, 80));
  ASSERT_EQ(down.rtpDroppable, (std::vector<bool>{true, false}));

  router.tick(10'000'000);  // the key frame wishes of the setup go out
  const auto pli = [&] {
    for (const auto& packet : up.rtcp) {
      if (packet.size() >= 12 && packet[1] == rtp::kRtcpPsfb && (packet[0] & 0x1f) == 1) return true;
    }
    return false;
  };
  up.rtcp.clear();
  router.tick(20'000'000);
  ASSERT_FALSE(pli()) << "nobody wants a key frame now";
  down.drained();
  router.tick(30'000'000);
  EXPECT_TRUE(pli()) << "a drained subscriber asks the publisher for a key frame";
  EXPECT_EQ(counters.backlogKeyFrames.load(), 1u);
}

// The review's amplification: one NACK naming a packet 16 times made 16 resends, and 50
// NACKs of 42 bytes made 3,000 (3.4 MB). Each packet goes again at most once per round
// trip, and all resends together within half of what the stream itself carried.
TEST_F(SfuRouterTest, NacksAreAnsweredOncePerRoundTripAndWithinABudget) {
  auto& down = anaToBruno();
  auto& up = publisherOf("ana");
  constexpr int kPackets = 200;
  std::size_t forwardedBytes = 0;
  for (int i = 0; i < kPackets; ++i) up.deliverRtp(vp8(kVideoSsrc, static_cast<std::uint16_t>(1000 + i), i == 0));
  for (const auto& p : down.rtp) forwardedBytes += p.size();
  ASSERT_EQ(down.rtp.size(), static_cast<std::size_t>(kPackets));
  rtp::RtpPacket firstOut;
  firstOut.parse(down.rtp[0].data(), down.rtp[0].size());
  const std::uint32_t consumerSsrc = firstOut.ssrc();
  const std::uint16_t base = firstOut.sequenceNumber();
  down.rtp.clear();

  // One packet named 16 times in one NACK: one resend.
  std::vector<std::uint16_t> same(16, static_cast<std::uint16_t>(base + 5));
  std::uint8_t buffer[1500];
  down.deliverRtcp({buffer, buffer + rtp::writeNack(buffer, 1, consumerSsrc, same)});
  EXPECT_EQ(down.rtp.size(), 1u);
  // Again at once (within the round trip): nothing.
  down.deliverRtcp({buffer, buffer + rtp::writeNack(buffer, 1, consumerSsrc, same)});
  EXPECT_EQ(down.rtp.size(), 1u);

  // 50 NACKs naming 64 packets each: resends stay within the budget.
  for (int n = 0; n < 50; ++n) {
    std::vector<std::uint16_t> many;
    for (int i = 0; i < 64; ++i) many.push_back(static_cast<std::uint16_t>(base + (n * 64 + i) % kPackets));
    down.deliverRtcp({buffer, buffer + rtp::writeNack(buffer, 1, consumerSsrc, many, 64)});
  }
  std::size_t resentBytes = 0;
  for (const auto& p : down.rtp) resentBytes += p.size();
  EXPECT_LE(down.rtp.size(), static_cast<std::size_t>(kPackets)) << "no packet twice within a round trip";
  EXPECT_LE(static_cast<double>(resentBytes), Consumer::kRetransmitShare * static_cast<double>(forwardedBytes) + 4096)
      << "resent " << resentBytes << " bytes for " << forwardedBytes << " forwarded";
  EXPECT_GT(counters.retransmissionsRefused.load(), 0u);
}

// Ended tracks leave inactive m-lines, which new tracks take over: one participant coming
// and going 40 times does not grow anyone's offer past the tracks there are, and a room of
// a hundred stays within what the SDP parser takes.
TEST_F(SfuRouterTest, MediaSectionsAreRecycledSoOffersFollowTheLiveTracks) {
  router.join("bruno");
  joinAndPublish("stays", 100000);
  answerLastOffer("bruno");
  for (int round = 0; round < 40; ++round) {
    const std::string who = "visitor" + std::to_string(round);
    joinAndPublish(who, static_cast<std::uint32_t>(round * 100));
    answerLastOffer("bruno");
    router.leave(who);
    answerLastOffer("bruno");
  }
  const auto* bruno = router.participant("bruno");
  EXPECT_LE(bruno->slots.size(), 4u) << "two live tracks, two recycled slots";
  const auto last = std::get<sdp::SessionDescription>(sdp::parse(take(MediaEvent::Type::SubscriberOffer, "bruno").back().sdp));
  EXPECT_LE(last.media.size(), 4u);
  EXPECT_FALSE(bruno->offerOutstanding);
}

TEST_F(SfuRouterTest, ARefusedAnswerNeverStopsTheSubscriptions) {
  router.join("bruno");
  joinAndPublish("ana");
  router.subscriberAnswer("bruno", "this is not SDP");
  ASSERT_EQ(take(MediaEvent::Type::Error, "bruno").size(), 1u);
  EXPECT_FALSE(router.participant("bruno")->offerOutstanding);
  // The next track that comes is offered, and the answer to that works.
  joinAndPublish("carla", 50000);
  EXPECT_EQ(take(MediaEvent::Type::SubscriberOffer, "bruno").size(), 2u);
  answerLastOffer("bruno");
  EXPECT_FALSE(router.participant("bruno")->offerOutstanding);
}

TEST_F(SfuRouterTest, AHundredPeopleWithCameraAndMicrophoneFitInOneOffer) {
  for (int i = 0; i < 100; ++i) joinAndPublish("p" + std::to_string(i), static_cast<std::uint32_t>(i * 100));
  // Everyone answers their latest offer; the last one to join was offered 99 people at once.
  for (int i = 0; i < 100; ++i) answerLastOffer("p" + std::to_string(i));
  for (int i = 0; i < 100; ++i) {
    const auto* p = router.participant("p" + std::to_string(i));
    EXPECT_FALSE(p->offerOutstanding);
    std::size_t negotiated = 0;
    for (const auto& c : p->consumers) negotiated += c && c->negotiated();
    EXPECT_EQ(negotiated, 198u) << "p" << i;
  }
  EXPECT_EQ(counters.rejectedSdp.load(), 0u);
}

// Eight video sections at once: four tracks at most (with a clear error), and no packet
// storage before packets come.
TEST_F(SfuRouterTest, TracksPerParticipantAreCappedAndBuffersGrowWithTraffic) {
  router.join("ana");
  router.publish("ana", publisherOffer(8), {});
  const auto* ana = router.participant("ana");
  EXPECT_EQ(ana->producers.size(), kMaxTracksPerParticipant);
  const auto errors = take(MediaEvent::Type::Error, "ana");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("at most 4"), std::string::npos) << errors[0].message;
  EXPECT_EQ(counters.refusedTracks.load(), 5u);
  std::size_t allocated = 0;
  for (const auto& p : ana->producers) allocated += p->layer(0).buffer.allocatedBytes();
  EXPECT_EQ(allocated, 0u);
  publisherOf("ana").connect();
  publisherOf("ana").deliverRtp(vp8(kVideoSsrc, 1, true));
  allocated = 0;
  for (const auto& p : ana->producers) allocated += p->layer(0).buffer.allocatedBytes();
  EXPECT_GT(allocated, 0u);
  EXPECT_LE(allocated, 64u * 1024) << "one chunk for one packet";
}

// Audio goes to its observers: the transcription tap (microphones only) and the speaker.
TEST_F(SfuRouterTest, MicrophonesReachTheTapAndTheLoudestIsTheSpeaker) {
  struct Tap : AudioTap {
    std::vector<std::string> from;
    void onOpusPacket(const std::string& participant, const std::uint8_t*, std::size_t, std::uint32_t) override {
      from.push_back(participant);
    }
  };
  auto tap = std::make_shared<Tap>();
  router.setAudioTap(tap);
  joinAndPublish("ana");
  // One-byte header extension, audio level id 1: voice, -20 dBov.
  auto packet = rtpPacket(111, kAudioSsrc, 1, 60);
  packet[0] |= 0x10;
  const std::vector<std::uint8_t> extension = {0xBE, 0xDE, 0x00, 0x01, 0x10, 0x80 | 20, 0x00, 0x00};
  packet.insert(packet.begin() + 12, extension.begin(), extension.end());
  for (std::uint16_t seq = 1; seq < 5; ++seq) {
    write16(packet.data() + 2, seq);
    publisherOf("ana").deliverRtp(packet);
  }
  EXPECT_EQ(tap->from, std::vector<std::string>(4, "ana"));
  router.tick(10'000'000);
  const auto speaker = take(MediaEvent::Type::ActiveSpeaker, "ana");
  EXPECT_EQ(speaker.size(), 1u);
  router.setAudioTap(nullptr);
  write16(packet.data() + 2, 9);
  publisherOf("ana").deliverRtp(packet);
  EXPECT_EQ(tap->from.size(), 4u);
}

TEST_F(SfuRouterTest, LeavingReleasesTransportsAndTellsNoOneElse) {
  router.join("bruno");
  joinAndPublish("ana");
  answerLastOffer("bruno");
  EXPECT_EQ(transports.live.size(), 2u) << "ana's publishing, bruno's receiving (ana receives nothing)";
  router.leave("ana");
  EXPECT_EQ(transports.live.size(), 1u);
  EXPECT_EQ(router.participantCount(), 1u);
  EXPECT_EQ(take(MediaEvent::Type::SubscriberOffer, "bruno").size(), 2u) << "bruno is offered the tracks' end";
}

}  // namespace parley::sfu


namespace parley::sfu {

// Rid-based simulcast through the router: the layers' SSRCs are learned from their first
// packets (media and RTX), each subscriber gets the layer that fits what it shows (asked for
// with a key frame request on that layer's SSRC), and the stream it receives runs on without
// a gap through the switch.
TEST_F(SfuRouterTest, LearnsRidLayersAndSendsEachSubscriberTheLayerItShows) {
  auto& down = simulcastAnaToBruno();
  auto& up = publisherOf("ana");
  const auto& rids = kRids;
  const auto& heights = kHeights;
  std::uint16_t seq = 100;
  EXPECT_EQ(counters.unknownSsrc.load(), 0u) << "every layer bound by its rid";
  const Producer& camera = *router.participant("ana")->producers.at(0);
  ASSERT_EQ(camera.layerCount(), 3u);
  EXPECT_EQ(camera.layer(1).ssrc, 502u);
  EXPECT_EQ(camera.layer(2).height, 720);
  const auto repair = layerPacket(601, 7, false, "h", 0, /*rtx=*/true);
  up.deliverRtp(repair);
  EXPECT_EQ(camera.layer(1).rtxSsrc, 601u) << "RTX bound by its repaired rid";

  // Another SSRC claiming a flowing layer, and a rid nobody offered: refused and counted.
  up.deliverRtp(layerPacket(999, 1, true, "q", 180));
  up.deliverRtp(layerPacket(998, 1, true, "z", 180));
  EXPECT_EQ(counters.unknownSsrc.load(), 2u);
  EXPECT_EQ(camera.layer(0).ssrc, 501u);

  // Before any choice, the first key frame of any layer started Bruno's stream (the 180p
  // one). Told what Bruno shows, the router picks the 720p layer and asks for its key frame.
  up.rtcp.clear();
  const auto mid = router.participant("bruno")->consumers.at(0)->mid();
  router.showTracks("bruno", {{mid, 720}});
  router.tick(steadyMicrosNow());
  EXPECT_EQ(pliTargets(up.rtcp), std::vector<std::uint32_t>{503});
  down.rtp.clear();
  ++seq;
  for (int l = 0; l < 3; ++l) up.deliverRtp(layerPacket(501 + l, seq, l == 2, rids[l], heights[l]));
  ASSERT_EQ(down.rtp.size(), 2u) << "the 180p layer until the 720p key frame, nothing of the 360p one";
  rtp::RtpPacket first, before;
  ASSERT_TRUE(first.parse(down.rtp[0].data(), down.rtp[0].size()));
  ASSERT_TRUE(before.parse(down.rtp[1].data(), down.rtp[1].size()));
  EXPECT_EQ(static_cast<std::uint16_t>(before.sequenceNumber() - first.sequenceNumber()), 1) << "no gap";
  EXPECT_EQ(counters.layerSwitches.load(), 1u);

  // Bruno's tile shrinks to 200 pixels: the 180p layer, from its key frame on.
  up.rtcp.clear();
  router.showTracks("bruno", {{mid, 200}});
  router.tick(steadyMicrosNow() + 600000);
  EXPECT_EQ(pliTargets(up.rtcp), std::vector<std::uint32_t>{501});
  ++seq;
  up.deliverRtp(layerPacket(503, seq, false, "f", 720));
  up.deliverRtp(layerPacket(501, seq, true, "q", 180));
  up.deliverRtp(layerPacket(503, static_cast<std::uint16_t>(seq + 1), false, "f", 720));
  ASSERT_EQ(down.rtp.size(), 4u) << "the 720p layer until the switch, then only the 180p one";
  rtp::RtpPacket last;
  ASSERT_TRUE(last.parse(down.rtp.back().data(), down.rtp.back().size()));
  EXPECT_EQ(last.ssrc(), before.ssrc()) << "one stream for the subscriber";
  EXPECT_EQ(static_cast<std::uint16_t>(last.sequenceNumber() - before.sequenceNumber()), 2) << "no gap";
  EXPECT_EQ(counters.layerSwitches.load(), 2u);

  // Not shown: nothing, and counted.
  router.showTracks("bruno", {{mid, 0}});
  ++seq;
  for (int l = 0; l < 3; ++l) up.deliverRtp(layerPacket(501 + l, seq, true, rids[l], heights[l]));
  EXPECT_EQ(down.rtp.size(), 4u);
  EXPECT_EQ(counters.videoPauses.load(), 1u);
}

// The publisher is told to stop the layers nobody shows, 5 s after the last one needed them
// (all but the smallest when nobody shows the video), and to send them again at once.
TEST_F(SfuRouterTest, StopsTheLayersNobodyShowsAndStartsThemAgain) {
  simulcastAnaToBruno();
  const auto mid = router.participant("bruno")->consumers.at(0)->mid();
  const auto told = [&] {
    std::vector<std::vector<bool>> out;
    for (const auto& e : take(MediaEvent::Type::PublisherLayers, "ana")) {
      EXPECT_EQ(e.mid, router.participant("ana")->producers.at(0)->mid());
      std::vector<bool> active;
      for (std::size_t i = 0; i < e.layers.size(); ++i) {
        EXPECT_EQ(e.layers[i].rid, kRids[i]);
        active.push_back(e.layers[i].active);
      }
      out.push_back(active);
    }
    return out;
  };
  const std::int64_t start = steadyMicrosNow();
  router.showTracks("bruno", {{mid, 200}});  // 180p is enough
  router.tick(start + 3'000'000);
  EXPECT_TRUE(told().empty()) << "not before 5 s without a subscriber needing them";
  router.tick(start + 6'000'000);
  EXPECT_EQ(told(), (std::vector<std::vector<bool>>{{true, false, false}}));
  router.showTracks("bruno", {{mid, 0}});
  router.tick(start + 9'000'000);
  router.tick(start + 12'000'000);
  EXPECT_EQ(told().size(), 1u) << "nobody shows it: the smallest layer stays on all the same";
  router.showTracks("bruno", {{mid, 720}});
  EXPECT_EQ(told().back(), (std::vector<bool>{true, true, true})) << "at once, not at the next tick";
  EXPECT_EQ(counters.publisherLayersOff.load(), 2u);
  EXPECT_EQ(counters.publisherLayersOn.load(), 2u);
}

}  // namespace parley::sfu
