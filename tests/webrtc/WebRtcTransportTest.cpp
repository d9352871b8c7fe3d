// A whole WebRTC transport, both ends in this process over real loopback UDP sockets: ICE
// checks, the DTLS handshake, SRTP both ways, and the ways it must refuse to connect.
#include "webrtc/WebRtcServer.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstring>

#include "common/Random.h"
#include "dtls/Certificate.h"
#include "net/PacketClassifier.h"

namespace parley::webrtc {

namespace {

struct Recorder : Transport::Listener {
  std::vector<std::vector<std::uint8_t>> rtp, rtcp;
  bool connected = false;
  std::string closedReason;
  void onRtp(Transport&, std::uint8_t* d, std::size_t n) override { rtp.emplace_back(d, d + n); }
  void onRtcp(Transport&, std::uint8_t* d, std::size_t n) override { rtcp.emplace_back(d, d + n); }
  void onTransportConnected(Transport&) override { connected = true; }
  void onTransportClosed(Transport&, const std::string& reason) override { closedReason = reason; }
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

  // Runs the loop until `done`, or gives up after 20 s (a bound against hangs, not a goal:
  // on loopback it takes milliseconds, under sanitizers a little more).
  template <typename F>
  bool runUntil(F done, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
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

// A worker serving several addresses: a socket on each, one port; a peer reaching any of them
// is answered from that one (it would not accept replies from another), IPv4 and IPv6 alike.
TEST(WebRtcServerAddresses, APeerOnEachAddressConnectsAndIsAnsweredFromIt) {
  boost::asio::io_context io;
  net::Address v6loopback;
  ASSERT_TRUE(net::Address::parse("::1", 0, v6loopback));
  WebRtcServer server{io,
                      {net::Address::ipv4(127, 0, 0, 1, 0), net::Address::ipv4(127, 0, 0, 2, 0), v6loopback},
                      {net::Address::ipv4(127, 0, 0, 1, 0), net::Address::ipv4(127, 0, 0, 2, 0), v6loopback}};
  ASSERT_NE(server.port(), 0);
  ASSERT_NE(server.tcpPort(), 0);
  server.start();
  const auto serverCert = dtls::Certificate::generate();
  const auto clientCert = dtls::Certificate::generate();
  struct End {
    std::unique_ptr<WebRtcServer> socket;
    Recorder serverSide, clientSide;
    std::unique_ptr<WebRtcTransport> s, c;
  };
  std::vector<net::Address> targets = {net::Address::ipv4(127, 0, 0, 2, server.port()),
                                       net::Address::ipv4(127, 0, 0, 1, server.port()), v6loopback};
  targets[2].port = server.port();
  std::vector<std::unique_ptr<End>> ends;
  for (const auto& target : targets) {
    auto end = std::make_unique<End>();
    net::Address bind = target.v6 ? v6loopback : net::Address::ipv4(127, 0, 0, 1, 0);
    bind.port = 0;
    end->socket = std::make_unique<WebRtcServer>(io, bind);
    end->socket->start();
    end->s = server.createTransport(dtls::DtlsTransport::Role::Server, WebRtcTransport::IceRole::Lite, end->serverSide,
                                    serverCert);
    end->c = end->socket->createTransport(dtls::DtlsTransport::Role::Client, WebRtcTransport::IceRole::Controlling,
                                          end->clientSide, clientCert);
    end->s->setRemoteParameters(end->c->localIce(), "sha-256", clientCert->fingerprint());
    end->c->setRemoteParameters(end->s->localIce(), "sha-256", serverCert->fingerprint());
    end->c->connectTo(target);
    ends.push_back(std::move(end));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto allConnected = [&] {
    for (auto& end : ends) if (!end->serverSide.connected || !end->clientSide.connected) return false;
    return true;
  };
  while (!allConnected() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(allConnected());
  const std::uint8_t expectedLocal[] = {1, 0, 2};
  for (std::size_t i = 0; i < ends.size(); ++i) {
    auto& end = *ends[i];
    EXPECT_EQ(end.c->remoteAddress(), targets[i]) << "answered from the address it called";
    ASSERT_TRUE(end.s->remoteAddress());
    EXPECT_EQ(end.s->remoteAddress()->local, expectedLocal[i]);
    std::uint8_t back[net::kMaxDatagram] = {0x80, 111, 0, 5, 0, 0, 0, 1, 0, 0, 0, 7, 'o', 'k'};
    ASSERT_TRUE(end.s->sendRtp(back, 14, sizeof back));
  }
  auto allReceived = [&] {
    for (auto& end : ends) if (end.get()->clientSide.rtp.size() != 1) return false;
    return true;
  };
  while (!allReceived() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(allReceived());
  for (auto& end : ends) {
    server.removeTransport(*end->s);
    end->socket->removeTransport(*end->c);
  }
}

TEST_F(WebRtcLoopback, DropsAPeerThatStopsGivingConsentFor30Seconds) {
  exchange(clientCert->fingerprint(), s->localIce());
  ASSERT_TRUE(runUntil([&] { return serverSide.connected; }));
  const auto now = std::chrono::steady_clock::now();
  EXPECT_GE(server.transportCounters().consentChecks, 1u) << "the server asked the client for consent itself";
  s->tickConsent(now + std::chrono::seconds(29));
  EXPECT_TRUE(serverSide.closedReason.empty()) << "29 s of silence is still within consent";
  s->tickConsent(now + std::chrono::seconds(31));
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
  EXPECT_FALSE(runUntil([&] { return clientSide.connected; }, std::chrono::seconds(2)));
  EXPECT_GE(server.transportCounters().stunRejected, 1u);
  EXPECT_FALSE(s->remoteAddress()) << "an unauthenticated check selects nothing";
}

// The review's reflection attack: a participant sends one check, valid for its own
// transport, from a third party's address (spoofed) and nominates it. The server answers
// that one request where it came from, asks the address for consent (it cannot answer), and
// keeps sending media where consent was given. The third party gets a few hundred bytes of
// STUN, never the stream.
TEST_F(WebRtcLoopback, ASpoofedNominationCannotAimMediaAtAThirdParty) {
  exchange(clientCert->fingerprint(), s->localIce());
  ASSERT_TRUE(runUntil([&] { return serverSide.connected && clientSide.connected; }));
  const auto clientPath = s->remoteAddress();
  ASSERT_TRUE(clientPath);

  boost::asio::ip::udp::socket victim(io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  ice::TransactionId transaction{};
  secureRandomBytes(transaction.data(), transaction.size());
  std::uint8_t check[ice::kMaxStunSize];
  const auto length = ice::writeBindingRequest(transaction, s->localIce().ufrag + ":" + c->localIce().ufrag,
                                               s->localIce().pwd, 1, 2, true, true, check);
  victim.send_to(boost::asio::buffer(check, length),
                 boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port()));

  std::size_t mediaSent = 0;
  for (int i = 0; i < 50; ++i) {
    std::uint8_t packet[net::kMaxDatagram] = {0x80, 96, 0, static_cast<std::uint8_t>(i), 0, 0, 0, 9, 0, 0, 0, 42};
    std::memset(packet + 12, 0xAB, 1000);
    if (s->sendRtp(packet, 1012, sizeof packet)) ++mediaSent;
    io.run_for(std::chrono::milliseconds(2));
  }
  // And the consent lifetime passes for the victim's address: still nothing.
  s->tickConsent(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  io.run_for(std::chrono::milliseconds(50));
  std::size_t stunBytes = 0, otherBytes = 0, datagrams = 0;
  while (victim.available() > 0) {
    std::uint8_t buffer[2048];
    boost::asio::ip::udp::endpoint from;
    const std::size_t n = victim.receive_from(boost::asio::buffer(buffer), from);
    ++datagrams;
    (net::classify(buffer, n) == net::PacketKind::Stun ? stunBytes : otherBytes) += n;
  }
  EXPECT_EQ(mediaSent, 50u);
  EXPECT_EQ(otherBytes, 0u) << "media reached the address that never consented";
  EXPECT_LE(stunBytes, 600u) << "the answer to its check and a consent check or two, no more";
  EXPECT_EQ(s->remoteAddress(), clientPath) << "the selected path did not move";
  ASSERT_TRUE(runUntil([&] { return clientSide.rtp.size() == 50; }));
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

// Two full ICE agents, as the load generator and Janus are: `offererRole` and
// `answererRole` at the start; both check each other. Returns once both carry SRTP.
class FullIceLoopback : public WebRtcLoopback {
 protected:
  void connectBoth(WebRtcTransport::IceRole offererRole, WebRtcTransport::IceRole answererRole) {
    server.removeTransport(*s);
    client.removeTransport(*c);
    s = server.createTransport(dtls::DtlsTransport::Role::Server, offererRole, serverSide, serverCert);
    c = client.createTransport(dtls::DtlsTransport::Role::Client, answererRole, clientSide, clientCert);
    s->setRemoteParameters(c->localIce(), "sha-256", clientCert->fingerprint());
    c->setRemoteParameters(s->localIce(), "sha-256", serverCert->fingerprint());
    s->connectTo(net::Address::ipv4(127, 0, 0, 1, client.port()));
    c->connectTo(net::Address::ipv4(127, 0, 0, 1, server.port()));
    const auto tick = [&] {
      const auto now = std::chrono::steady_clock::now();
      s->tickConsent(now);
      c->tickConsent(now);
      return serverSide.connected && clientSide.connected;
    };
    ASSERT_TRUE(runUntil(tick)) << "server side " << serverSide.closedReason << ", client side " << clientSide.closedReason;
    std::uint8_t packet[net::kMaxDatagram] = {0x80, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 42, 'h', 'i'};
    ASSERT_TRUE(c->sendRtp(packet, 14, sizeof packet));
    std::uint8_t back[net::kMaxDatagram] = {0x80, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 43, 'o', 'k'};
    ASSERT_TRUE(s->sendRtp(back, 14, sizeof back));
    ASSERT_TRUE(runUntil([&] { return serverSide.rtp.size() == 1 && clientSide.rtp.size() == 1; }));
  }
};

TEST_F(FullIceLoopback, TheAnswererOfAFullAgentsOfferIsControlled) {
  connectBoth(WebRtcTransport::IceRole::Controlling, WebRtcTransport::IceRole::Controlled);
  EXPECT_EQ(server.transportCounters().roleConflicts + client.transportCounters().roleConflicts, 0u);
}

TEST_F(FullIceLoopback, BothControllingResolveTheConflictByTieBreaker) {
  // RFC 8445 7.3.1.1 and 7.2.5.1: the smaller tie-breaker answers or is answered 487 and
  // becomes controlled; the call connects either way (run a few times: the tie-breakers are
  // random, so both sides of the rule are taken).
  for (int round = 0; round < 4; ++round) {
    serverSide = {};
    clientSide = {};
    const auto before = server.transportCounters().roleConflicts + client.transportCounters().roleConflicts;
    connectBoth(WebRtcTransport::IceRole::Controlling, WebRtcTransport::IceRole::Controlling);
    EXPECT_EQ(server.transportCounters().roleConflicts + client.transportCounters().roleConflicts, before + 1)
        << "exactly one side gave up the controlling role";
  }
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
