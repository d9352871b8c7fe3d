// A whole WebRTC transport, both ends in this process over real loopback UDP sockets: ICE
// checks, the DTLS handshake, SRTP both ways, and the ways it must refuse to connect.
#include "webrtc/WebRtcServer.h"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>

#include "dtls/Certificate.h"
#include "net/PacketClassifier.h"

namespace parley::webrtc {

namespace {

struct Recorder : WebRtcTransport::Listener {
  std::vector<std::vector<std::uint8_t>> rtp, rtcp;
  bool connected = false;
  std::string closedReason;
  void onRtp(WebRtcTransport&, std::uint8_t* d, std::size_t n) override { rtp.emplace_back(d, d + n); }
  void onRtcp(WebRtcTransport&, std::uint8_t* d, std::size_t n) override { rtcp.emplace_back(d, d + n); }
  void onTransportConnected(WebRtcTransport&) override { connected = true; }
  void onTransportClosed(WebRtcTransport&, const std::string& reason) override { closedReason = reason; }
};

class WebRtcLoopback : public ::testing::Test {
 protected:
  boost::asio::io_context io;
  WebRtcServer server{io, net::Address::ipv4(127, 0, 0, 1, 0)};
  WebRtcServer client{io, net::Address::ipv4(127, 0, 0, 1, 0)};
  std::shared_ptr<dtls::Certificate> serverCert = dtls::Certificate::generate();
  std::shared_ptr<dtls::Certificate> clientCert = dtls::Certificate::generate();
  Recorder serverSide, clientSide;

  std::unique_ptr<WebRtcTransport> s, c;

  void SetUp() override {
    server.start();
    client.start();
    s = server.createTransport(dtls::DtlsTransport::Role::Server, WebRtcTransport::IceRole::Lite, serverSide, serverCert);
    c = client.createTransport(dtls::DtlsTransport::Role::Client, WebRtcTransport::IceRole::Controlling, clientSide,
                               clientCert);
  }
  void TearDown() override {
    server.removeTransport(*s);
    client.removeTransport(*c);
  }
  // Each side learns the other's ICE credentials and certificate fingerprint, as from SDP.
  void exchange(const std::string& clientFingerprint, const IceParameters& serverIce) {
    s->setRemoteParameters(c->localIce(), "sha-256", clientFingerprint);
    c->setRemoteParameters(serverIce, "sha-256", serverCert->fingerprint());
    c->connectTo(net::Address::ipv4(127, 0, 0, 1, server.port()));
  }

  // Runs the loop until `done` or two seconds pass.
  template <typename F>
  bool runUntil(F done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(5));
    return done();
  }
};

}  // namespace

TEST_F(WebRtcLoopback, ConnectsAndCarriesSrtpBothWays) {
  exchange(clientCert->fingerprint(), s->localIce());
  ASSERT_TRUE(runUntil([&] { return serverSide.connected && clientSide.connected; }));
  EXPECT_EQ(s->srtpProfile(), c->srtpProfile());
  EXPECT_EQ(s->srtpProfile(), srtp::SrtpProfile::AeadAes256Gcm) << "GCM is preferred";

  std::uint8_t packet[net::kMaxDatagram] = {0x80, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 42, 'h', 'e', 'l', 'l', 'o'};
  ASSERT_TRUE(c->sendRtp(packet, 17, sizeof packet));
  std::uint8_t rtcp[net::kMaxDatagram] = {0x81, 201, 0, 7, 0, 0, 0, 42};
  ASSERT_TRUE(c->sendRtcp(rtcp, 32, sizeof rtcp));
  ASSERT_TRUE(runUntil([&] { return serverSide.rtp.size() == 1 && serverSide.rtcp.size() == 1; }));
  EXPECT_EQ(serverSide.rtp[0].size(), 17u);
  EXPECT_EQ(std::string(serverSide.rtp[0].begin() + 12, serverSide.rtp[0].end()), "hello");

  std::uint8_t back[net::kMaxDatagram] = {0x80, 111, 0, 5, 0, 0, 0, 1, 0, 0, 0, 7, 'o', 'k'};
  ASSERT_TRUE(s->sendRtp(back, 14, sizeof back));
  ASSERT_TRUE(runUntil([&] { return clientSide.rtp.size() == 1; }));
  EXPECT_EQ(clientSide.rtp[0].back(), 'k');
}

TEST_F(WebRtcLoopback, DropsAPeerThatStopsGivingConsentFor30Seconds) {
  exchange(clientCert->fingerprint(), s->localIce());
  ASSERT_TRUE(runUntil([&] { return serverSide.connected; }));
  const auto now = std::chrono::steady_clock::now();
  s->checkConsent(now + std::chrono::seconds(29));
  EXPECT_TRUE(serverSide.closedReason.empty()) << "29 s of silence is still within consent";
  s->checkConsent(now + std::chrono::seconds(31));
  EXPECT_EQ(serverSide.closedReason, "ICE consent expired");
  EXPECT_TRUE(s->closed());
  std::uint8_t packet[net::kMaxDatagram] = {0x80, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 42};
  EXPECT_FALSE(s->sendRtp(packet, 12, sizeof packet)) << "a closed transport sends nothing";
}

TEST_F(WebRtcLoopback, RefusesAPeerWhoseCertificateIsNotTheOneInItsSdp) {
  exchange(dtls::Certificate::generate()->fingerprint(), s->localIce());
  ASSERT_TRUE(runUntil([&] { return !serverSide.closedReason.empty(); }));
  EXPECT_NE(serverSide.closedReason.find("fingerprint"), std::string::npos) << serverSide.closedReason;
  EXPECT_FALSE(serverSide.connected);
  EXPECT_EQ(server.transportCounters().dtlsFailures, 1u);
}

TEST_F(WebRtcLoopback, IgnoresChecksWithTheWrongPassword) {
  IceParameters wrong = s->localIce();
  wrong.pwd = "not-the-password-at-all";
  exchange(clientCert->fingerprint(), wrong);
  EXPECT_FALSE(runUntil([&] { return clientSide.connected; }));
  EXPECT_GE(server.transportCounters().stunRejected, 1u);
  EXPECT_FALSE(s->remoteAddress()) << "an unauthenticated check selects nothing";
}

TEST_F(WebRtcLoopback, DropsMediaFromUnknownAddresses) {
  std::uint8_t rtp[] = {0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  server.onDatagram(rtp, sizeof rtp, net::Address::ipv4(127, 0, 0, 1, 9));
  std::uint8_t dtls[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  server.onDatagram(dtls, sizeof dtls, net::Address::ipv4(127, 0, 0, 1, 9));
  std::uint8_t noise[] = {0xff, 0xff, 0xff};
  server.onDatagram(noise, sizeof noise, net::Address::ipv4(127, 0, 0, 1, 9));
  EXPECT_EQ(server.demuxCounters().unknownSource, 2u);
  EXPECT_EQ(server.demuxCounters().unclassified, 1u);
}

TEST(PacketClassifier, FollowsRfc7983) {
  const std::uint8_t stun[20] = {0x00, 0x01};
  const std::uint8_t dtls[] = {22, 0xfe};
  const std::uint8_t rtp[] = {0x80, 96};
  const std::uint8_t rtcp[] = {0x80, 200};
  const std::uint8_t other[] = {100, 0};
  EXPECT_EQ(net::classify(stun, sizeof stun), net::PacketKind::Stun);
  EXPECT_EQ(net::classify(dtls, sizeof dtls), net::PacketKind::Dtls);
  EXPECT_EQ(net::classify(rtp, sizeof rtp), net::PacketKind::Rtp);
  EXPECT_EQ(net::classify(rtcp, sizeof rtcp), net::PacketKind::Rtcp);
  EXPECT_EQ(net::classify(other, sizeof other), net::PacketKind::Unknown);
  EXPECT_EQ(net::classify(stun, 1), net::PacketKind::Unknown);
}

}  // namespace parley::webrtc
