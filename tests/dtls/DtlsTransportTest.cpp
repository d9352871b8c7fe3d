// DTLS-SRTP between two of our transports, in memory: the handshake, the keys both ends
// export, the fingerprint check, garbage, retransmission and close.
#include "dtls/DtlsTransport.h"

#include <gtest/gtest.h>

#include <deque>
#include <thread>
#include <vector>

namespace parley::dtls {

namespace {

// One end: records what it sends; the test carries datagrams across.
struct End : DtlsTransport::Listener {
  std::deque<std::vector<std::uint8_t>> outbox;
  std::optional<SrtpKeys> keys;
  std::string failure;
  bool closed = false;
  void onDtlsSend(const std::uint8_t* data, std::size_t length) override { outbox.emplace_back(data, data + length); }
  void onDtlsConnected(const SrtpKeys& k) override { keys = k; }
  void onDtlsFailed(const std::string& reason) override { failure = reason; }
  void onDtlsClosed() override { closed = true; }
};

// Carries datagrams both ways until neither side has anything to say.
void exchange(End& a, DtlsTransport& ta, End& b, DtlsTransport& tb, bool dropFirstFromA = false) {
  for (int round = 0; round < 50 && (!a.outbox.empty() || !b.outbox.empty()); ++round) {
    while (!a.outbox.empty()) {
      auto d = std::move(a.outbox.front());
      a.outbox.pop_front();
      if (dropFirstFromA) {
        dropFirstFromA = false;
        continue;
      }
      tb.onPacket(d.data(), d.size());
    }
    while (!b.outbox.empty()) {
      auto d = std::move(b.outbox.front());
      b.outbox.pop_front();
      ta.onPacket(d.data(), d.size());
    }
  }
}

class DtlsTransportTest : public ::testing::Test {
 protected:
  std::shared_ptr<Certificate> serverCert = Certificate::generate(), clientCert = Certificate::generate();
  End server, client;
  DtlsTransport serverT{serverCert, DtlsTransport::Role::Server, server};
  DtlsTransport clientT{clientCert, DtlsTransport::Role::Client, client};
  // Both ends know each other's fingerprint and shake hands.
  void handshake() {
    serverT.setRemoteFingerprint("sha-256", clientCert->fingerprint());
    clientT.setRemoteFingerprint("sha-256", serverCert->fingerprint());
    serverT.start();
    clientT.start();
    exchange(client, clientT, server, serverT);
  }
};

}  // namespace

TEST_F(DtlsTransportTest, HandshakeExportsMatchingSrtpKeys) {
  handshake();
  ASSERT_TRUE(server.keys) << server.failure;
  ASSERT_TRUE(client.keys) << client.failure;
  EXPECT_EQ(serverT.state(), DtlsTransport::State::Connected);
  EXPECT_EQ(server.keys->profile, client.keys->profile);
  // One end's local key is the other's remote key, and the keys are not trivial.
  EXPECT_EQ(server.keys->localKey, client.keys->remoteKey);
  EXPECT_EQ(server.keys->remoteKey, client.keys->localKey);
  EXPECT_EQ(server.keys->localSalt, client.keys->remoteSalt);
  EXPECT_NE(server.keys->localKey, server.keys->remoteKey);
  EXPECT_GE(server.keys->localKey.size(), 16u);
}

// The SDP fingerprint is what authenticates a self-signed certificate: another one fails.
// A certificate made after another was freed (often at the same address) is the one its
// handshakes present: the per-process context follows the certificate, not its address.
// Found by WebRtcLoopback failing after a Worker test in the same process.
TEST(DtlsCertificates, ANewCertificateIsPresentedEvenWhereAnOldOneLived) {
  for (int round = 0; round < 4; ++round) {
    {
      auto old = Certificate::generate();
      End e;
      DtlsTransport t{old, DtlsTransport::Role::Server, e};
      t.start();
    }
    auto serverCert = Certificate::generate(), clientCert = Certificate::generate();
    End server, client;
    DtlsTransport serverT{serverCert, DtlsTransport::Role::Server, server};
    DtlsTransport clientT{clientCert, DtlsTransport::Role::Client, client};
    serverT.setRemoteFingerprint("sha-256", clientCert->fingerprint());
    clientT.setRemoteFingerprint("sha-256", serverCert->fingerprint());
    serverT.start();
    clientT.start();
    exchange(client, clientT, server, serverT);
    ASSERT_TRUE(server.keys && client.keys) << "round " << round << ": " << client.failure << server.failure;
  }
}

TEST_F(DtlsTransportTest, AWrongFingerprintFailsTheHandshake) {
  serverT.setRemoteFingerprint("sha-256", serverCert->fingerprint());  // not the client's
  clientT.setRemoteFingerprint("sha-256", serverCert->fingerprint());
  serverT.start();
  clientT.start();
  exchange(client, clientT, server, serverT);
  EXPECT_FALSE(server.keys);
  EXPECT_NE(server.failure.find("fingerprint"), std::string::npos) << server.failure;
  EXPECT_EQ(serverT.state(), DtlsTransport::State::Failed);
}

// The fingerprint may come (in the SDP answer) after the handshake is done: keys wait for it.
TEST_F(DtlsTransportTest, KeysWaitForAFingerprintThatComesLate) {
  clientT.setRemoteFingerprint("sha-256", serverCert->fingerprint());
  serverT.start();
  clientT.start();
  exchange(client, clientT, server, serverT);
  EXPECT_FALSE(server.keys);
  serverT.setRemoteFingerprint("sha-256", clientCert->fingerprint());
  EXPECT_TRUE(server.keys) << server.failure;
}

TEST_F(DtlsTransportTest, GarbageAndALostFlightDoNotBreakIt) {
  serverT.setRemoteFingerprint("sha-256", clientCert->fingerprint());
  clientT.setRemoteFingerprint("sha-256", serverCert->fingerprint());
  serverT.start();
  const std::uint8_t junk[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3};
  serverT.onPacket(junk, sizeof junk);
  serverT.onPacket(junk, 3);
  EXPECT_NE(serverT.state(), DtlsTransport::State::Connected);
  clientT.start();
  // The ClientHello is lost: the client's retransmission timer sends it again.
  exchange(client, clientT, server, serverT, /*dropFirstFromA=*/true);
  EXPECT_FALSE(server.keys);
  // The client's retransmission timer sends it again once it expires (OpenSSL's own clock).
  const auto wait = clientT.nextTimeout();
  ASSERT_TRUE(wait);
  std::this_thread::sleep_for(*wait + std::chrono::milliseconds(20));
  clientT.onTimeout();
  exchange(client, clientT, server, serverT);
  EXPECT_TRUE(server.keys) << "server: " << server.failure << " state " << int(serverT.state());
  EXPECT_TRUE(client.keys) << "client: " << client.failure << " state " << int(clientT.state());
}

TEST_F(DtlsTransportTest, CloseTellsThePeer) {
  handshake();
  ASSERT_TRUE(server.keys);
  clientT.close();
  exchange(client, clientT, server, serverT);
  EXPECT_TRUE(server.closed);
}

}  // namespace parley::dtls
