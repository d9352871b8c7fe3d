// The cascade between two nodes' workers on loopback: SRTP both ways with keys of each
// direction's own, tracks named by their SSRC, announcements, reports and key frame
// requests as SRTCP, datagrams from strangers or with the wrong keys dropped, and a lossy
// path between the nodes repaired by NACKs.
#include "cascade/CascadeLink.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <set>

#include "cascade/CascadeControl.h"
#include "cascade/CascadeKeys.h"
#include "common/Bytes.h"
#include "common/Clock.h"

namespace parley::cascade {

namespace {

using boost::asio::ip::udp;

// What a worker would be told.
struct Arrivals : sfu::RemoteLinkHandler {
  struct Rtp {
    unsigned slot;
    std::uint32_t pipeId;
    std::vector<std::uint8_t> bytes;
  };
  std::vector<Rtp> rtp;
  std::vector<std::pair<std::string, sfu::RemoteProducerInfo>> announced;
  std::vector<std::uint32_t> withdrawn;
  std::vector<rtp::SenderInfo> reports;
  std::vector<std::pair<std::uint32_t, int>> keyFrames;
  void onCascadeRtp(unsigned slot, std::uint32_t pipeId, std::uint8_t* data, std::size_t length) override {
    rtp.push_back({slot, pipeId, {data, data + length}});
  }
  void onCascadeAnnouncement(unsigned, const std::string& roomId, const sfu::RemoteProducerInfo& info) override {
    announced.emplace_back(roomId, info);
  }
  void onCascadeWithdrawal(unsigned, const std::string&, std::uint32_t pipeId) override { withdrawn.push_back(pipeId); }
  void onCascadeSenderReport(unsigned, std::uint32_t, int, const rtp::SenderInfo& info) override {
    reports.push_back(info);
  }
  void onCascadeKeyFrameRequest(unsigned, std::uint32_t pipeId, int layer) override {
    keyFrames.emplace_back(pipeId, layer);
  }
};

// An RTP packet as a worker pipes it: the layer in the SSRC field.
std::vector<std::uint8_t> pipedPacket(std::uint16_t seq, int layer, std::size_t payload = 200) {
  std::vector<std::uint8_t> p(12 + payload);
  p[0] = 0x80;
  p[1] = 96;
  write16(p.data() + 2, seq);
  write32(p.data() + 4, seq * 3000u);
  write32(p.data() + 8, static_cast<std::uint32_t>(layer));
  for (std::size_t i = 12; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(seq + i);
  return p;
}

// Runs `io` until `done` holds (a 10 s bound against hangs), ticking the links as a worker does.
bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done, std::vector<CascadeLink*> links = {}) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(20));
    io.restart();
    for (CascadeLink* link : links) link->tick(steadyMicrosNow());
  }
  return done();
}

// A path between two nodes that loses the first copy of one RTP packet in `nth` (by its
// sequence number, which SRTP leaves in clear) and passes the rest, both ways.
class LossyPath {
 public:
  LossyPath(boost::asio::io_context& io, int nth)
      : towardA_(io, udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)),
        towardB_(io, udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)),
        nth_(nth) {}
  // A sends to portForA(); B sends to portForB(); each sees the other at those addresses.
  std::uint16_t portForA() const { return towardA_.local_endpoint().port(); }
  std::uint16_t portForB() const { return towardB_.local_endpoint().port(); }
  void start(std::uint16_t aPort, std::uint16_t bPort) {
    a_ = udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), aPort);
    b_ = udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), bPort);
    pump(towardA_, towardB_, b_, true, bufferA_);
    pump(towardB_, towardA_, a_, false, bufferB_);
  }
  int dropped = 0;

 private:
  void pump(udp::socket& from, udp::socket& to, udp::endpoint& target, bool lossy, std::array<std::uint8_t, 2048>& buffer) {
    from.async_receive_from(boost::asio::buffer(buffer), sender_, [this, &from, &to, &target, lossy, &buffer](auto ec, std::size_t n) {
      if (ec) return;
      const bool rtp = n >= 12 && !(buffer[1] >= 192 && buffer[1] <= 223);
      bool drop = false;
      if (lossy && rtp) {
        const std::uint16_t seq = read16(buffer.data() + 2);
        drop = seq % nth_ == nth_ / 2 && seen_.insert(seq).second;
      }
      if (drop) ++dropped;
      else to.send_to(boost::asio::buffer(buffer.data(), n), target);
      pump(from, to, target, lossy, buffer);
    });
  }
  udp::socket towardA_, towardB_;
  udp::endpoint a_, b_, sender_;
  int nth_;
  std::set<std::uint16_t> seen_;
  std::array<std::uint8_t, 2048> bufferA_{}, bufferB_{};
};

// Two nodes' workers, node-a/0 and node-b/1, linked straight (A names B slot 0, B names A
// slot 2), each with its own secret.
struct TwoNodes {
  explicit TwoNodes(const std::string& secretA = "cluster secret", const std::string& secretB = "cluster secret")
      : a(io, {"node-a", "127.0.0.1"}, 0, atA), b(io, {"node-b", "127.0.0.1"}, 1, atB) {
    a.attach(0, {"node-b", 1, "127.0.0.1", b.port()}, secretA);
    b.attach(2, {"node-a", 0, "127.0.0.1", a.port()}, secretB);
  }
  boost::asio::io_context io;
  Arrivals atA, atB;
  CascadeLink a, b;
};

sfu::RemoteProducerInfo camera() {
  sfu::RemoteProducerInfo info;
  info.pipeId = 7;
  info.ownerId = "ana";
  info.producerId = "p-ana-cam";
  info.mid = "1";
  info.kind = sfu::MediaKind::Video;
  info.source = sfu::TrackSource::Camera;
  info.codec = {"VP8", 90000, 1, "", 96, 97};
  info.layers = 3;
  info.orientationExtension = 4;
  return info;
}

}  // namespace

TEST(CascadeKeys, EachDirectionAndEachEndHasKeysOfItsOwn) {
  const auto ab = deriveCascadeKeys("secret", linkEnd("a", 0), linkEnd("b", 0));
  const auto ba = deriveCascadeKeys("secret", linkEnd("b", 0), linkEnd("a", 0));
  const auto ab1 = deriveCascadeKeys("secret", linkEnd("a", 1), linkEnd("b", 0));
  const auto other = deriveCascadeKeys("another secret", linkEnd("a", 0), linkEnd("b", 0));
  EXPECT_EQ(ab.key, deriveCascadeKeys("secret", linkEnd("a", 0), linkEnd("b", 0)).key);
  EXPECT_NE(ab.key, ba.key);
  EXPECT_NE(ab.key, ab1.key);
  EXPECT_NE(ab.key, other.key);
  EXPECT_NE(ab.salt, ba.salt);
  EXPECT_THROW(deriveCascadeKeys("", "a/0", "b/0"), std::invalid_argument);
}

TEST(CascadeControl, AnnouncementsAndWithdrawalsSurviveTheWireAndMalformedOnesAreRefused) {
  std::array<std::uint8_t, 1500> buffer{};
  const auto info = camera();
  const std::size_t n = writeAnnouncement(buffer.data(), buffer.size(), 1, "room-1", info);
  ASSERT_GT(n, 12u);
  ASSERT_EQ(n % 4, 0u);
  std::optional<CascadeControl> read;
  ASSERT_TRUE(rtp::forEachRtcpPart({buffer.data(), n}, [&](const rtp::RtcpPart& part) { read = readCascadeControl(part); }));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->type, CascadeControl::Type::Announcement);
  EXPECT_EQ(read->roomId, "room-1");
  EXPECT_EQ(read->info.pipeId, 7u);
  EXPECT_EQ(read->info.ownerId, "ana");
  EXPECT_EQ(read->info.producerId, "p-ana-cam");
  EXPECT_EQ(read->info.mid, "1");
  EXPECT_EQ(read->info.kind, sfu::MediaKind::Video);
  EXPECT_EQ(read->info.source, sfu::TrackSource::Camera);
  EXPECT_EQ(read->info.codec.name, "VP8");
  EXPECT_EQ(read->info.codec.clockRate, 90000u);
  EXPECT_EQ(read->info.codec.payloadType, 96);
  EXPECT_EQ(read->info.codec.rtxPayloadType, 97);
  EXPECT_EQ(read->info.layers, 3);
  EXPECT_EQ(read->info.orientationExtension, 4);

  // Every truncation of it is refused (the RTCP header's length is kept, so the part parses).
  for (std::size_t cut = 12; cut < n; ++cut) {
    const rtp::RtcpPart part{kRtcpApp, 0, {buffer.data(), cut}};
    EXPECT_FALSE(readCascadeControl(part)) << cut;
  }
  // No room for it, or a name too long: nothing written.
  EXPECT_EQ(writeAnnouncement(buffer.data(), 40, 1, "room-1", info), 0u);
  EXPECT_EQ(writeAnnouncement(buffer.data(), buffer.size(), 1, std::string(300, 'r'), info), 0u);
  // Layers out of range.
  auto many = info;
  many.layers = 9;
  const std::size_t bad = writeAnnouncement(buffer.data(), buffer.size(), 1, "room-1", many);
  EXPECT_FALSE(readCascadeControl(rtp::RtcpPart{kRtcpApp, 0, {buffer.data(), bad}}));

  const std::size_t w = writeWithdrawal(buffer.data(), buffer.size(), 1, "room-1", 7);
  ASSERT_TRUE(rtp::forEachRtcpPart({buffer.data(), w}, [&](const rtp::RtcpPart& part) { read = readCascadeControl(part); }));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->type, CascadeControl::Type::Withdrawal);
  EXPECT_EQ(read->info.pipeId, 7u);
}

TEST(CascadeLink, TracksReportsAndKeyFrameRequestsCrossBetweenTwoNodes) {
  TwoNodes nodes;
  auto& io = nodes.io;
  auto &atA = nodes.atA, &atB = nodes.atB;
  auto &a = nodes.a, &b = nodes.b;

  const auto packet = pipedPacket(100, 2);
  ASSERT_TRUE(a.pipeRtp(0, 7, packet.data(), packet.size()));
  a.announceProducer(0, "room-1", camera());
  rtp::SenderInfo report;
  report.ntp = 0x1234567890ull;
  report.rtpTimestamp = 4242;
  a.relaySenderReport(0, 7, 2, report);
  ASSERT_TRUE(runUntil(io, [&] { return atB.rtp.size() == 1 && atB.announced.size() == 1 && atB.reports.size() == 1; }));
  EXPECT_EQ(atB.rtp[0].slot, 2u);
  EXPECT_EQ(atB.rtp[0].pipeId, 7u);
  EXPECT_EQ(atB.rtp[0].bytes, packet);  // decrypted, the layer back in the SSRC field
  EXPECT_EQ(atB.announced[0].first, "room-1");
  EXPECT_EQ(atB.announced[0].second.producerId, "p-ana-cam");
  EXPECT_EQ(atB.reports[0].rtpTimestamp, 4242u);
  EXPECT_EQ(atB.reports[0].ntp, 0x1234567890ull);

  b.requestKeyFrame(2, 7, 2);
  b.withdrawProducer(2, "room-1", 9);
  ASSERT_TRUE(runUntil(io, [&] { return atA.keyFrames.size() == 1 && atA.withdrawn.size() == 1; }));
  EXPECT_EQ(atA.keyFrames[0], (std::pair<std::uint32_t, int>{7, 2}));
  EXPECT_EQ(atA.withdrawn[0], 9u);
  EXPECT_EQ(b.counters().unauthenticated.load(), 0u);
  EXPECT_EQ(a.counters().sent.load(), 1u);
  EXPECT_EQ(b.counters().received.load(), 1u);
}

TEST(CascadeLink, StrangersAndWrongKeysAreDroppedAndCounted) {
  TwoNodes nodes("one secret", "another secret");
  auto& io = nodes.io;
  auto& atB = nodes.atB;
  auto &a = nodes.a, &b = nodes.b;
  const auto packet = pipedPacket(1, 0);
  ASSERT_TRUE(a.pipeRtp(0, 7, packet.data(), packet.size()));
  a.announceProducer(0, "room-1", camera());
  ASSERT_TRUE(runUntil(io, [&] { return b.counters().unauthenticated.load() == 2; }));

  // Someone who is no node of the room's: the same bytes, from another address.
  udp::socket stranger(io, udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  stranger.send_to(boost::asio::buffer(packet), udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), b.port()));
  ASSERT_TRUE(runUntil(io, [&] { return b.counters().unknownSource.load() == 1; }));
  EXPECT_TRUE(atB.rtp.empty());
  EXPECT_TRUE(atB.announced.empty());
}

TEST(CascadeLink, NacksRepairWhatALossyPathBetweenNodesDropped) {
  boost::asio::io_context io;
  Arrivals atA, atB;
  LossyPath path(io, 10);  // one packet in ten lost on its first way from A to B
  CascadeLink a(io, {"node-a", "127.0.0.1"}, 0, atA);
  CascadeLink b(io, {"node-b", "127.0.0.1"}, 0, atB);
  a.attach(0, {"node-b", 0, "127.0.0.1", path.portForA()}, "cluster secret");
  b.attach(0, {"node-a", 0, "127.0.0.1", path.portForB()}, "cluster secret");
  path.start(a.port(), b.port());

  constexpr int kPackets = 300;
  for (int i = 0; i < kPackets; ++i) {
    const auto packet = pipedPacket(static_cast<std::uint16_t>(1000 + i), 1);
    ASSERT_TRUE(a.pipeRtp(0, 7, packet.data(), packet.size()));
    if (i % 10 == 9) {  // paced as a stream's packets are (SRTP's replay window is 128 packets)
      io.run_for(std::chrono::milliseconds(10));
      io.restart();
      a.tick(steadyMicrosNow());
      b.tick(steadyMicrosNow());
    }
  }
  std::set<std::uint16_t> received;
  ASSERT_TRUE(runUntil(io, [&] {
    received.clear();
    for (const auto& r : atB.rtp) received.insert(read16(r.bytes.data() + 2));
    return received.size() == kPackets;
  }, {&a, &b})) << "received " << received.size() << " of " << kPackets << ", the path dropped " << path.dropped;
  EXPECT_EQ(path.dropped, kPackets / 10);
  EXPECT_GE(b.counters().nacksSent.load(), 1u);
  EXPECT_EQ(a.counters().retransmitted.load(), static_cast<std::uint64_t>(kPackets / 10));
}

}  // namespace parley::cascade
