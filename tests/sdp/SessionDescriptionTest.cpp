#include "sdp/SessionDescription.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sfu/SdpNegotiation.h"

namespace parley::sdp {

std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(PARLEY_TEST_FIXTURES) + "/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  // Fixtures are stored with \n; browsers send \r\n. Both must parse.
  std::string crlf;
  for (char c : s) {
    if (c == '\n') crlf += "\r\n";
    else crlf += c;
  }
  return crlf;
}

TEST(Sdp, ParsesABrowserOffer) {
  const auto parsed = parse(readFixture("chrome-offer.sdp"));
  ASSERT_TRUE(std::holds_alternative<SessionDescription>(parsed)) << std::get<std::string>(parsed);
  const auto& d = std::get<SessionDescription>(parsed);
  EXPECT_EQ(d.bundle, (std::vector<std::string>{"0", "1", "2"}));
  ASSERT_EQ(d.media.size(), 3u);
  const auto& audio = d.media[0];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.direction, "sendonly");
  EXPECT_EQ(audio.iceUfrag, "K3vG");
  EXPECT_EQ(audio.fingerprintAlgorithm, "sha-256");
  EXPECT_TRUE(audio.rtcpMux);
  ASSERT_NE(audio.codec(111), nullptr);
  EXPECT_EQ(audio.codec(111)->name, "opus");
  EXPECT_EQ(audio.codec(111)->channels, 2);
  EXPECT_EQ(audio.codec(111)->fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.extensionId("urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 1);
  EXPECT_EQ(audio.ssrcs, std::vector<std::uint32_t>{1843591122});
  const auto& video = d.media[1];
  EXPECT_EQ(video.codec(97)->apt(), 96);
  ASSERT_EQ(video.ssrcGroups.size(), 1u);
  EXPECT_EQ(video.ssrcGroups[0].ssrcs, (std::vector<std::uint32_t>{2231627014u, 632943048u}));
  EXPECT_EQ(d.media[2].kind, "application");
}

TEST(Sdp, RejectsBrokenDescriptions) {
  EXPECT_TRUE(std::holds_alternative<std::string>(parse("")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse("v=1\r\n")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse("v=0\r\nm=audio\r\n")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse("v=0\r\nnonsense\r\n")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse("v=0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:abc opus/48000\r\n")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse("v=0\r\nm=audio x RTP/AVP 0\r\n")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse(std::string(kMaxSdpBytes + 1, 'a'))));
  std::string many = "v=0\r\n";
  for (std::size_t i = 0; i < kMaxMediaSections; ++i) many += "m=audio 9 RTP/AVP 0\r\n";
  // A room's limit (100 people, several tracks each) fits; one section more does not.
  EXPECT_TRUE(std::holds_alternative<SessionDescription>(parse(many)));
  many += "m=audio 9 RTP/AVP 0\r\n";
  EXPECT_TRUE(std::holds_alternative<std::string>(parse(many)));
}

TEST(SdpNegotiation, AnswersAPublisherWithWhatTheSfuForwards) {
  const auto offer = std::get<SessionDescription>(parse(readFixture("chrome-offer.sdp")));
  sfu::LocalTransport local{"ufrag1", "password-password-1", "AA:BB", {"127.0.0.1"}, 40000, 1, 1};
  const auto result = sfu::answerPublisher(offer, local);
  ASSERT_TRUE(std::holds_alternative<sfu::PublisherNegotiation>(result)) << std::get<std::string>(result);
  const auto& negotiation = std::get<sfu::PublisherNegotiation>(result);
  EXPECT_EQ(negotiation.remoteUfrag, "K3vG");
  ASSERT_EQ(negotiation.tracks.size(), 2u);
  EXPECT_EQ(negotiation.tracks[0].codec.name, "opus");
  EXPECT_EQ(negotiation.tracks[1].codec.name, "VP8");
  ASSERT_EQ(negotiation.tracks[1].layers.size(), 1u);
  EXPECT_EQ(negotiation.tracks[1].layers[0].ssrc, 2231627014u);
  EXPECT_EQ(negotiation.tracks[1].layers[0].rtxSsrc, 632943048u);
  EXPECT_EQ(negotiation.tracks[1].rtxPayloadType, 97);
  EXPECT_EQ(negotiation.extensions.transportCc, 3);
  EXPECT_EQ(negotiation.extensions.audioLevel, 1);
  EXPECT_EQ(negotiation.extensions.videoOrientation, 13);

  const auto answer = std::get<SessionDescription>(parse(negotiation.answer));
  EXPECT_TRUE(answer.iceLite);
  EXPECT_EQ(answer.bundle, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(answer.media.size(), 3u);
  EXPECT_EQ(answer.media[0].setup, "passive");
  EXPECT_EQ(answer.media[0].direction, "recvonly");
  EXPECT_EQ(answer.media[0].codecs.size(), 1u);
  EXPECT_EQ(answer.media[1].codecs.size(), 2u);  // VP8 and its RTX
  EXPECT_EQ(answer.media[1].candidates.at(0), "1 1 udp 2130706431 127.0.0.1 40000 typ host");
  EXPECT_EQ(answer.media[2].port, 0);  // data channel rejected
  EXPECT_EQ(answer.media[1].extensionId("urn:ietf:params:rtp-hdrext:toffset"), 0);
}

TEST(SdpNegotiation, PrefersH264OnlyWithoutVp8) {
  std::string text = readFixture("chrome-offer.sdp");
  const auto pos = text.find("a=rtpmap:96 VP8/90000");
  text.replace(pos, 21, "a=rtpmap:96 XYZ/90000");
  const auto offer = std::get<SessionDescription>(parse(text));
  const auto result = sfu::answerPublisher(offer, {"u", "p", "F", {"127.0.0.1"}, 1, 1, 1});
  const auto& negotiation = std::get<sfu::PublisherNegotiation>(result);
  EXPECT_EQ(negotiation.tracks[1].codec.name, "H264");
  EXPECT_EQ(negotiation.tracks[1].payloadType, 102);
}

TEST(SdpNegotiation, OffersSubscribersTheirTracksWithSsrcsAndRtx) {
  sfu::LocalTransport local{"u2", "password-password-2", "CC:DD", {"10.0.0.1"}, 40001, 7, 3};
  std::vector<sfu::ConsumerSlot> slots = {
      {"0", sfu::MediaKind::Audio, true, false, {"opus", 48000, 2, "minptime=10;useinbandfec=1", 111, 0}, 1111, 0, "alice", "a1"},
      {"1", sfu::MediaKind::Video, true, false, {"VP8", 90000, 1, "", 96, 97}, 2222, 3333, "alice", "v1"},
      {"2", sfu::MediaKind::Video, false, false, {"VP8", 90000, 1, "", 96, 97}, 4444, 5555, "bob", "v2"},
  };
  const auto offer = std::get<SessionDescription>(parse(sfu::offerSubscriber(local, slots)));
  EXPECT_TRUE(offer.iceLite);
  ASSERT_EQ(offer.media.size(), 3u);
  EXPECT_EQ(offer.media[0].setup, "actpass");
  EXPECT_EQ(offer.media[0].direction, "sendonly");
  EXPECT_EQ(offer.media[0].msid, "alice a1");
  EXPECT_EQ(offer.media[1].ssrcGroups.at(0).ssrcs, (std::vector<std::uint32_t>{2222, 3333}));
  EXPECT_EQ(offer.media[1].codec(97)->apt(), 96);
  EXPECT_EQ(offer.media[2].direction, "inactive");
  EXPECT_TRUE(offer.media[2].ssrcs.empty());
  EXPECT_EQ(offer.sessionVersion, 3u);
  EXPECT_EQ(offer.media[0].candidates, (std::vector<std::string>{"1 1 udp 2130706431 10.0.0.1 40001 typ host"}));
}

TEST(SdpNegotiation, OffersAPassiveTcpCandidateBelowUdpWhenTheWorkerHasOne) {
  sfu::LocalTransport local{"u3", "password-password-3", "EE:FF", {"10.0.0.1"}, 40001, 7, 3, 40101};
  std::vector<sfu::ConsumerSlot> slots = {
      {"0", sfu::MediaKind::Audio, true, false, {"opus", 48000, 2, "minptime=10;useinbandfec=1", 111, 0}, 1111, 0, "alice", "a1"}};
  const auto offer = std::get<SessionDescription>(parse(sfu::offerSubscriber(local, slots)));
  ASSERT_EQ(offer.media[0].candidates.size(), 2u);
  EXPECT_EQ(offer.media[0].candidates[1], "2 1 tcp 2124414975 10.0.0.1 40101 typ host tcptype passive");
  EXPECT_LT(2124414975u, 2130706431u);  // UDP first whenever it works
}

TEST(SdpNegotiation, OffersEveryAddressAsHostCandidatesInTheOrderGiven) {
  sfu::LocalTransport local{"u4", "password-password-4", "EE:FF", {"2001:db8::7", "192.0.2.7", "10.0.0.1"},
                            40001, 7, 3, 40101};
  std::vector<sfu::ConsumerSlot> slots = {
      {"0", sfu::MediaKind::Audio, true, false, {"opus", 48000, 2, "minptime=10;useinbandfec=1", 111, 0}, 1111, 0, "alice", "a1"}};
  const auto offer = std::get<SessionDescription>(parse(sfu::offerSubscriber(local, slots)));
  EXPECT_EQ(offer.media[0].candidates, (std::vector<std::string>{
                                           "1 1 udp 2130706431 2001:db8::7 40001 typ host",
                                           "2 1 tcp 2124414975 2001:db8::7 40101 typ host tcptype passive",
                                           "3 1 udp 2130706175 192.0.2.7 40001 typ host",
                                           "4 1 tcp 2124414719 192.0.2.7 40101 typ host tcptype passive",
                                           "5 1 udp 2130705919 10.0.0.1 40001 typ host",
                                           "6 1 tcp 2124414463 10.0.0.1 40101 typ host tcptype passive",
                                       }));
  // Every UDP candidate before every TCP one.
  EXPECT_GT(2130705919u, 2124414975u);
}

TEST(Sdp, ParsesRidsAndSimulcastLines) {
  const std::string text =
      "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=extmap:9/sendonly urn:x\r\n"
      "a=rid:q send pt=96;max-width=320\r\na=rid:h send\r\na=rid:bad! send\r\na=rid:r recv\r\n"
      "a=rid:waytoolongforarid1 send\r\na=simulcast:send ~q,x;h recv r\r\n";
  const auto parsed = parse(text);
  ASSERT_TRUE(std::holds_alternative<SessionDescription>(parsed)) << std::get<std::string>(parsed);
  const auto& m = std::get<SessionDescription>(parsed).media.at(0);
  ASSERT_EQ(m.rids.size(), 3u) << "a rid with a character outside RFC 8851's, or too long, is ignored";
  EXPECT_EQ(m.rids[0].id, "q");
  EXPECT_EQ(m.rids[2].direction, "recv");
  EXPECT_EQ(m.simulcastSend, (std::vector<std::string>{"q", "h"})) << "paused mark dropped, first alternative kept";
  EXPECT_EQ(m.simulcastRecv, (std::vector<std::string>{"r"}));
  EXPECT_EQ(m.extensions.at(0).direction, "sendonly");
  const auto again = std::get<SessionDescription>(parse(write(std::get<SessionDescription>(parsed))));
  EXPECT_EQ(again.media.at(0).simulcastSend, m.simulcastSend);
  EXPECT_EQ(again.media.at(0).extensions.at(0).direction, "sendonly");
  EXPECT_TRUE(std::holds_alternative<std::string>(parse("v=0\r\nm=video 9 X 96\r\na=extmap:3/sideways urn:x\r\n")));
}

// Chromium and Firefox ESR offer a camera in three rid-named layers (captured from the
// browsers with the client's sendEncodings): the answer receives all three, in the offer's
// order, and keeps the rid header extensions that name the layers in packets.
TEST(SdpNegotiation, ReceivesRidSimulcastFromChromiumAndFirefox) {
  for (const char* fixture : {"chrome-simulcast-offer.sdp", "firefox-simulcast-offer.sdp"}) {
    SCOPED_TRACE(fixture);
    const auto offer = std::get<SessionDescription>(parse(readFixture(fixture)));
    const auto result = sfu::answerPublisher(offer, {"u", "password-password-1", "AA", {"127.0.0.1"}, 40000, 1, 1});
    ASSERT_TRUE(std::holds_alternative<sfu::PublisherNegotiation>(result)) << std::get<std::string>(result);
    const auto& negotiation = std::get<sfu::PublisherNegotiation>(result);
    ASSERT_EQ(negotiation.tracks.size(), 2u);
    const auto& video = negotiation.tracks[1];
    ASSERT_EQ(video.layers.size(), 3u);
    EXPECT_EQ(video.layers[0].rid, "q");
    EXPECT_EQ(video.layers[2].rid, "f");
    EXPECT_EQ(video.layers[0].ssrc, 0u) << "rid layers' SSRCs are learned from their packets";
    EXPECT_NE(negotiation.extensions.rid, 0);
    EXPECT_NE(negotiation.extensions.repairedRid, 0);
    EXPECT_NE(negotiation.extensions.mid, 0);
    const auto answer = std::get<SessionDescription>(parse(negotiation.answer));
    const auto& m = answer.media.at(1);
    EXPECT_EQ(m.simulcastRecv, (std::vector<std::string>{"q", "h", "f"}));
    ASSERT_EQ(m.rids.size(), 3u);
    EXPECT_EQ(m.rids[1].direction, "recv");
    for (const auto& e : m.extensions) {
      EXPECT_TRUE(e.direction.empty() || e.direction == "recvonly") << e.uri << " answered " << e.direction;
    }
  }
}

TEST(SdpNegotiation, ReceivesLegacySsrcGroupSimulcastAndAtMostThreeLayers) {
  std::string text = readFixture("chrome-offer.sdp");
  // The legacy form: a SIM group of three SSRCs, each with its RTX in an FID group.
  const auto at = text.find("a=ssrc-group:FID");
  ASSERT_NE(at, std::string::npos);
  text.insert(at,
              "a=ssrc-group:SIM 11 12 13\r\na=ssrc-group:FID 11 21\r\na=ssrc-group:FID 12 22\r\n"
              "a=ssrc-group:FID 13 23\r\n");
  const auto offer = std::get<SessionDescription>(parse(text));
  const auto result = sfu::answerPublisher(offer, {"u", "password-password-1", "AA", {"127.0.0.1"}, 40000, 1, 1});
  const auto& video = std::get<sfu::PublisherNegotiation>(result).tracks.at(1);
  ASSERT_EQ(video.layers.size(), 3u);
  EXPECT_EQ(video.layers[0].ssrc, 11u);
  EXPECT_EQ(video.layers[0].rtxSsrc, 21u);
  EXPECT_EQ(video.layers[2].ssrc, 13u);
  EXPECT_EQ(video.layers[2].rtxSsrc, 23u);

  std::string four = readFixture("chrome-simulcast-offer.sdp");
  const auto rids = four.find("a=simulcast:send q;h;f");
  ASSERT_NE(rids, std::string::npos);
  four.replace(rids, 22, "a=rid:x send\r\na=simulcast:send q;h;f;x");
  const auto fourOffer = std::get<SessionDescription>(parse(four));
  const auto fourResult = sfu::answerPublisher(fourOffer, {"u", "password-password-1", "AA", {"127.0.0.1"}, 40000, 1, 1});
  const auto& fourNegotiation = std::get<sfu::PublisherNegotiation>(fourResult);
  EXPECT_EQ(fourNegotiation.tracks.at(1).layers.size(), 3u) << "a fourth layer is refused";
  const auto answer = std::get<SessionDescription>(parse(fourNegotiation.answer));
  EXPECT_EQ(answer.media.at(1).simulcastRecv, (std::vector<std::string>{"q", "h", "f"}));
}

}  // namespace parley::sdp
