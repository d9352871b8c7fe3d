// Signaling relayed from one node to a room's home node (http::WebSocketRelay), with two real
// HTTP servers on loopback in this process: a client of the relaying node joins the home's
// room and talks through the relay both ways; its goodbye reaches the home as a goodbye; a
// relay without the cluster's key is refused by the home, and the client is told; a home
// whose port refuses connections gets a 503 to the client and is reported dead. Run under
// the sanitizers too. The clients are plain Beast WebSockets on threads of their own.
#include "http/WebSocketRelay.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/beast/websocket.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "http/HttpServer.h"
#include "FixedPlacement.h"
#include "ServerLoop.h"
#include "http/Router.h"
#include "http/StaticFiles.h"
#include "signaling/RoomRegistry.h"
#include "store/SqliteRoomStore.h"
#include "store/StoreContract.h"

namespace parley::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr const char* kRoom = "abc-defg-hij";
constexpr const char* kKey = testing::kClusterKey;

using testing::emptyWebRoot;
using testing::FixedPlacement;
using testing::runUntil;

// One node: its own registry and HTTP server over the shared store.
struct Node {
  Node(asio::io_context& io, store::RoomStore& store, const StaticFiles& web, HttpPolicy policy = {},
       const char* listen = "127.0.0.1")
      : rooms(store),
        router(rooms, web),
        server(io, {asio::ip::make_address(listen), 0}, router, rooms, std::move(policy)) {}
  signaling::RoomRegistry rooms;
  Router router;
  HttpServer server;
  std::uint16_t port() const { return server.localEndpoint().port(); }
};

// A client with an io_context and thread of its own: connects, joins, and reports every
// frame and how the connection ended; send() and close() run on its thread.
class Client {
 public:
  // `from`: the loopback address the client connects from (all of 127/8 is this machine's).
  Client(std::uint16_t port, std::string name, std::string from = "127.0.0.1") : ws_(io_) {
    thread_ = std::thread([this, port, name, from] {
      try {
        ws_.next_layer().open(asio::ip::tcp::v4());
        ws_.next_layer().bind({asio::ip::make_address(from), 0});
        ws_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
        ws_.handshake("127.0.0.1:" + std::to_string(port), std::string("/ws/") + kRoom);
        ws_.text(true);
        ws_.write(asio::buffer(R"({"type":"join","version":1,"name":")" + name + R"("})"));
      } catch (const std::exception& e) {
        return end(e.what());
      }
      readNext();
      io_.run();
    });
  }
  ~Client() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  void send(std::string frame) {
    asio::post(io_, [this, frame = std::make_shared<std::string>(std::move(frame))] {
      ws_.async_write(asio::buffer(*frame), [frame](beast::error_code, std::size_t) {});
    });
  }
  void close() {
    // The pending read ends as cancelled; the close's own ending says how it went.
    asio::post(io_, [this] {
      ws_.async_close(websocket::close_code::normal,
                      [this](beast::error_code ec) { end(ec ? ec.message() : "closed"); });
    });
  }
  bool got(std::string_view text) {
    std::lock_guard lock(mutex_);
    for (const auto& f : frames_) {
      if (f.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::string ended() {
    std::lock_guard lock(mutex_);
    return ended_;
  }

 private:
  void readNext() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec == asio::error::operation_aborted) return;  // our close() took over
      if (ec) return end(ec == websocket::error::closed ? "closed" : ec.message());
      {
        std::lock_guard lock(mutex_);
        frames_.push_back(beast::buffers_to_string(buffer_.data()));
      }
      buffer_.consume(buffer_.size());
      readNext();
    });
  }
  void end(std::string how) {
    std::lock_guard lock(mutex_);
    ended_ = how.empty() ? "ended" : std::move(how);
  }

  asio::io_context io_;
  websocket::stream<asio::ip::tcp::socket> ws_;
  beast::flat_buffer buffer_;
  std::mutex mutex_;
  std::vector<std::string> frames_;
  std::string ended_;
  std::thread thread_;
};

class WebSocketRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store.createRoom(store::roomRecord(kRoom, "Relais", "hash", unixMillisNow())));
  }
  void TearDown() override {
    for (Node* node : {home.get(), relay.get()}) {
      if (!node) continue;
      node->server.stop();
      node->server.abort();
    }
    runUntil(io, std::chrono::seconds(2), [] { return false; });
  }
  // `homePerAddress`: the connections one client address may hold at the home; `homeListen`:
  // where it listens ("::" takes IPv4 too, its peers seen as ::ffff:a.b.c.d).
  void startNodes(const std::string& key, std::size_t homePerAddress = 1000, const char* homeListen = "127.0.0.1") {
    HttpPolicy homePolicy;
    homePolicy.maxConnectionsPerAddress = homePerAddress;
    home = std::make_unique<Node>(io, store, web, homePolicy, homeListen);
    homePlacement = std::make_unique<FixedPlacement>(0, kKey);
    homePlacement->nodes = {*IpNetwork::parse("127.0.0.1")};  // the relaying node's address
    home->server.setPlacement(homePlacement.get());
    home->server.start();
    relay = std::make_unique<Node>(io, store, web);
    relayPlacement = std::make_unique<FixedPlacement>(home->port(), key);
    relay->server.setPlacement(relayPlacement.get());
    relay->server.start();
  }
  asio::io_context io;  // first: destroyed last
  store::SqliteRoomStore store{":memory:"};
  StaticFiles web{emptyWebRoot("relay-test")};
  std::unique_ptr<FixedPlacement> homePlacement, relayPlacement;
  std::unique_ptr<Node> home, relay;
};

TEST_F(WebSocketRelayTest, AClientOfAnotherNodeIsInTheHomesRoomAndTalksThroughTheRelay) {
  startNodes(kKey);
  const auto relayedBefore = metrics().signalingRelayed.load();
  Client ana(home->port(), "Ana");
  ASSERT_TRUE(runUntil(io, std::chrono::seconds(10), [&] { return ana.got("welcome"); })) << ana.ended();
  Client bruno(relay->port(), "Bruno");
  ASSERT_TRUE(runUntil(io, std::chrono::seconds(10), [&] { return bruno.got("welcome"); })) << bruno.ended();
  EXPECT_EQ(home->rooms.participantCount(), 2u) << "both in the home's room";
  EXPECT_EQ(relay->rooms.participantCount(), 0u) << "nobody in a room of the relaying node";
  EXPECT_EQ(metrics().signalingRelayed.load(), relayedBefore + 1);
  EXPECT_TRUE(bruno.got("\"Ana\"")) << "Bruno's welcome lists Ana";
  ASSERT_TRUE(runUntil(io, std::chrono::seconds(5), [&] { return ana.got("participant-joined"); }));

  // Bruno's chat goes through the relay to the home, and back to both.
  bruno.send(R"({"type":"chat","text":"par le relais"})");
  ASSERT_TRUE(runUntil(io, std::chrono::seconds(5), [&] { return ana.got("par le relais") && bruno.got("par le relais"); }));

  // Bruno says goodbye: the home sees a goodbye (he is gone at once, not kept to resume).
  bruno.close();
  ASSERT_TRUE(runUntil(io, std::chrono::seconds(5), [&] { return home->rooms.participantCount() == 1; }));
  EXPECT_TRUE(runUntil(io, std::chrono::seconds(5), [&] { return metrics().signalingRelayed.load() == relayedBefore; }))
      << "the relay ends with the connection";
  EXPECT_TRUE(runUntil(io, std::chrono::seconds(5), [&] { return bruno.ended() == "closed"; })) << bruno.ended();
}

TEST_F(WebSocketRelayTest, AHomeRefusesARelayWithoutTheClustersKey) {
  startNodes("not-the-key");
  Client bruno(relay->port(), "Bruno");
  EXPECT_TRUE(runUntil(io, std::chrono::seconds(10), [&] { return !bruno.ended().empty(); }));
  EXPECT_EQ(home->rooms.participantCount(), 0u);
  EXPECT_NE(bruno.ended(), "closed") << "never upgraded";
}

TEST_F(WebSocketRelayTest, AHomeWhosePortRefusesIsReportedAndTheClientToldToRetry) {
  startNodes(kKey);
  // A port nothing listens on, as a killed node's.
  asio::ip::tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t deadPort = closed.local_endpoint().port();
  closed.close();
  relayPlacement = std::make_unique<FixedPlacement>(deadPort, kKey);
  relay->server.setPlacement(relayPlacement.get());
  Client bruno(relay->port(), "Bruno");
  EXPECT_TRUE(runUntil(io, std::chrono::seconds(10), [&] { return !bruno.ended().empty(); }));
  EXPECT_EQ(relayPlacement->refused.load(), 1) << "the dead home reported";
  EXPECT_NE(bruno.ended(), "closed") << "never upgraded";
}

// A relaying node carries many clients: the home counts each by its own address, so that
// neither the node's many honest clients nor one client's many connections through it
// exhaust the node's share at the home; and one client's bound still holds through it.
TEST_F(WebSocketRelayTest, TheHomeCountsRelayedClientsByTheirOwnAddressNotTheRelays) {
  // The home on a dual-stack socket: the relaying node's 127.0.0.1 reaches it as
  // ::ffff:127.0.0.1, and is still known for a node.
  startNodes(kKey, 2, "::");
  std::vector<std::unique_ptr<Client>> clients;
  for (const char* from : {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
    clients.push_back(std::make_unique<Client>(relay->port(), std::string("Client ") + from, from));
  }
  ASSERT_TRUE(runUntil(io, std::chrono::seconds(10), [&] {
    return std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->got("welcome"); });
  })) << "three clients of one node, more than the home allows one address";
  EXPECT_EQ(home->rooms.participantCount(), 3u);

  // A second connection of 127.0.0.2 is within its bound; a third is not, at the home.
  Client second(relay->port(), "Deux", "127.0.0.2");
  ASSERT_TRUE(runUntil(io, std::chrono::seconds(10), [&] { return second.got("welcome"); })) << second.ended();
  Client third(relay->port(), "Trois", "127.0.0.2");
  EXPECT_TRUE(runUntil(io, std::chrono::seconds(10), [&] { return !third.ended().empty(); }));
  EXPECT_NE(third.ended(), "closed") << "never upgraded";
  EXPECT_FALSE(third.got("welcome"));
  EXPECT_EQ(home->rooms.participantCount(), 4u);
}

}  // namespace

}  // namespace parley::http
