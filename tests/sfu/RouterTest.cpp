// The SFU's Router against fake transports: what it negotiates, forwards, repairs and
// refuses, packet by packet, with no sockets, ICE, DTLS or SRTP in the way.
#include "sfu/RouterFixture.h"

namespace parley::sfu {

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

// Chromium probes bandwidth with RTX copies of packets it sent: each is forwarded once, in
// the room and to the room's other workers and nodes.
TEST_F(SfuRouterTest, APacketReceivedTwiceIsForwardedOnce) {
  auto& down = anaToBruno();
  auto& up = publisherOf("ana");
  up.deliverRtp(vp8(kVideoSsrc, 101, true));
  up.deliverRtp(vp8(kVideoSsrc, 102, false));
  up.deliverRtp(vp8(kVideoSsrc, 101, true));
  auto rtx = rtpPacket(97, kRtxSsrc, 7, 1002);  // 102 again, over RTX: the original sequence first
  write16(rtx.data() + 12, 102);
  const auto original = vp8(kVideoSsrc, 102, false);
  std::copy(original.begin() + 12, original.end(), rtx.begin() + 14);
  up.deliverRtp(rtx);
  EXPECT_EQ(down.rtp.size(), 2u);
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
