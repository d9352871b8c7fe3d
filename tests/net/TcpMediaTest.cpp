// ICE-TCP's transport: RFC 4571 framing, a worker's TCP port with its limits, and a
// connection's send buffer that drops video first when the reader is slow.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "net/Rfc4571.h"
#include "net/TcpMediaListener.h"

namespace parley::net {
namespace {

using boost::asio::ip::tcp;

std::vector<std::uint8_t> framed(std::vector<std::uint8_t> packet) {
  std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(packet.size() >> 8), static_cast<std::uint8_t>(packet.size())};
  out.insert(out.end(), packet.begin(), packet.end());
  return out;
}

TEST(FrameReader, ReassemblesFramesSplitAnywhere) {
  std::vector<std::uint8_t> stream;
  for (std::uint8_t n = 1; n <= 40; ++n) {
    const auto frame = framed(std::vector<std::uint8_t>(n * 37u, n));
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  for (std::size_t piece : {1u, 3u, 1000u, 4096u}) {
    FrameReader reader;
    std::vector<std::size_t> lengths;
    for (std::size_t at = 0; at < stream.size();) {
      auto space = reader.space();
      const std::size_t n = std::min({piece, stream.size() - at, space.size()});
      std::copy_n(stream.begin() + static_cast<std::ptrdiff_t>(at), n, space.begin());
      at += n;
      ASSERT_TRUE(reader.received(n, [&](std::uint8_t* data, std::size_t length) {
        EXPECT_EQ(data[0], lengths.size() + 1);
        lengths.push_back(length);
      }));
    }
    ASSERT_EQ(lengths.size(), 40u) << "pieces of " << piece;
    EXPECT_EQ(lengths.back(), 40u * 37u);
  }
}

TEST(FrameReader, RefusesEmptyAndOversizedFrames) {
  for (std::vector<std::uint8_t> garbage : {std::vector<std::uint8_t>{0, 0}, std::vector<std::uint8_t>{0xff, 0xff, 1},
                                            std::vector<std::uint8_t>{0x08, 0x01}}) {
    FrameReader reader;
    std::copy(garbage.begin(), garbage.end(), reader.space().begin());
    EXPECT_FALSE(reader.received(garbage.size(), [](std::uint8_t*, std::size_t) { FAIL(); }));
  }
}

class TcpMediaListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener.start({[this](std::uint8_t* data, std::size_t length, const Address& from) {
                      received.emplace_back(data, data + length);
                      lastFrom = from;
                    },
                    [this](const Address&) { drained++; }, [this](const Address&) { closed++; }});
  }
  // A client connected to the listener, accepted on its side.
  tcp::socket connect() {
    tcp::socket client(clientIo);
    client.connect({boost::asio::ip::make_address("127.0.0.1"), listener.localPort()});
    const auto before = listener.stats().accepted + listener.stats().refused;
    runUntil([&] { return listener.stats().accepted + listener.stats().refused > before; });
    return client;
  }
  Address addressOf(const tcp::socket& client) {
    Address a = Address::fromSockaddr(client.local_endpoint().data());
    a.tcp = true;
    return a;
  }
  template <class Done>
  void runUntil(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(done());
  }

  boost::asio::io_context io;
  boost::asio::io_context clientIo;
  TcpMediaListener listener{io, Address::ipv4(127, 0, 0, 1, 0)};
  std::vector<std::vector<std::uint8_t>> received;
  Address lastFrom;
  int drained = 0;
  int closed = 0;
};

TEST_F(TcpMediaListenerTest, CarriesFramedPacketsBothWaysUnderTheConnectionsAddress) {
  auto client = connect();
  auto bytes = framed({1, 2, 3});
  const auto second = framed(std::vector<std::uint8_t>(1500, 9));
  bytes.insert(bytes.end(), second.begin(), second.end());
  boost::asio::write(client, boost::asio::buffer(bytes));
  runUntil([&] { return received.size() == 2; });
  EXPECT_EQ(received[0], (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ(received[1].size(), 1500u);
  EXPECT_TRUE(lastFrom.tcp);
  EXPECT_EQ(lastFrom, addressOf(client));

  const std::uint8_t answer[] = {7, 7, 7, 7};
  ASSERT_TRUE(listener.send(lastFrom, answer, sizeof answer, false));
  EXPECT_FALSE(listener.send(Address::ipv4(127, 0, 0, 1, 1), answer, sizeof answer, false));  // no such connection
  io.poll();
  std::uint8_t in[6];
  boost::asio::read(client, boost::asio::buffer(in));
  EXPECT_EQ(in[1], 4);
  EXPECT_EQ(in[5], 7);
}

TEST_F(TcpMediaListenerTest, GarbageFramingClosesTheConnection) {
  auto client = connect();
  const std::uint8_t zero[] = {0, 0, 1, 2};
  boost::asio::write(client, boost::asio::buffer(zero));
  runUntil([&] { return closed == 1; });
  EXPECT_EQ(listener.stats().framingErrors, 1u);
  EXPECT_EQ(listener.stats().open, 0u);
}

TEST_F(TcpMediaListenerTest, ASlowReaderLosesVideoFirstThenEverythingAndGetsADrainSignal) {
  auto client = connect();
  boost::asio::write(client, boost::asio::buffer(framed({1})));
  runUntil([&] { return received.size() == 1; });
  const Address peer = lastFrom;
  // All sent within one handler: nothing leaves yet, the buffer alone decides.
  const std::vector<std::uint8_t> packet(1000, 0x55);
  std::size_t video = 0, audio = 0;
  while (listener.send(peer, packet.data(), packet.size(), true)) ++video;
  while (listener.send(peer, packet.data(), packet.size(), false)) ++audio;
  EXPECT_EQ(video, TcpMediaConnection::kDroppableAbove / 1002);
  EXPECT_EQ(video + audio, TcpMediaConnection::kSendCapacity / 1002);
  EXPECT_EQ(listener.stats().droppedBacklog, 2u);
  EXPECT_EQ(drained, 0);
  // The reader catches up: everything queued arrives in order, and the drain is signalled.
  std::vector<std::uint8_t> in((video + audio) * 1002);
  std::thread reader([&] { boost::asio::read(client, boost::asio::buffer(in)); });
  runUntil([&] { return drained == 1; });
  reader.join();
  EXPECT_EQ(in[0], 1000 >> 8);
  EXPECT_EQ(in.back(), 0x55);
}

TEST_F(TcpMediaListenerTest, ConnectionsWithoutAnIceCheckAreBoundedAndExpire) {
  std::vector<tcp::socket> clients;
  for (std::size_t i = 0; i < TcpMediaListener::kMaxUnboundPerIp; ++i) clients.push_back(connect());
  EXPECT_EQ(listener.stats().open, TcpMediaListener::kMaxUnboundPerIp);
  clients.push_back(connect());  // one more from the same address: refused
  EXPECT_EQ(listener.stats().refused, 1u);
  EXPECT_EQ(listener.stats().open, TcpMediaListener::kMaxUnboundPerIp);

  // One proves itself (the server saw an authentic check on it); the others time out.
  listener.markBound(addressOf(clients[0]));
  listener.tick(std::chrono::steady_clock::now() + TcpMediaListener::kBindDeadline + std::chrono::seconds(1));
  EXPECT_EQ(listener.stats().open, 1u);
  EXPECT_EQ(listener.stats().unboundClosed, TcpMediaListener::kMaxUnboundPerIp - 1);
}

}  // namespace
}  // namespace parley::net
