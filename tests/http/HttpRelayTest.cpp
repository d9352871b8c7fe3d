// A room's REST requests relayed from one node to the room's home (http::HttpRelay): a real
// HTTP server as the relaying node, a plain Beast server on a thread as the home, which
// records what it was sent and answers with a body of 3 MB (a recording's file). The client
// gets the home's answer whole, twice on one kept-alive connection; the home gets the
// client's request with the cluster's key and the client's address, and never the client's
// own relay headers; a home whose port refuses connections gets a 503 to the client and is
// reported dead; a room's own record (GET /api/rooms/{id}) is the home's too, while unknown
// rooms and new ones are answered here. Run under the sanitizers too.
#include "http/HttpRelay.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "http/HttpServer.h"
#include "http/Router.h"
#include "http/StaticFiles.h"
#include "FixedPlacement.h"
#include "ServerLoop.h"
#include "signaling/RoomRegistry.h"
#include "store/SqliteRoomStore.h"
#include "store/StoreContract.h"

namespace parley::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

constexpr const char* kRoom = "abc-defg-hij";
constexpr const char* kKey = testing::kClusterKey;
constexpr std::size_t kFileBytes = 3 * 1024 * 1024 + 17;

using testing::emptyWebRoot;
using testing::FixedPlacement;
using testing::runUntil;

std::string fileBody() {
  std::string body(kFileBytes, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7) % 26);
  return body;
}

// The home: one connection at a time, one request each (the relay asks for no more).
class FakeHome {
 public:
  FakeHome() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] {
      for (;;) {
        asio::ip::tcp::socket socket(io_);
        beast::error_code ec;
        acceptor_.accept(socket, ec);
        if (ec || stopping_) return;
        beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> request;
        bhttp::read(socket, buffer, request, ec);
        if (ec) continue;
        {
          std::lock_guard lock(mutex_);
          requests_.push_back(request);
        }
        bhttp::response<bhttp::string_body> response{bhttp::status::ok, 11};
        if (request.target().find("/recordings/") != std::string_view::npos) {
          response.set(bhttp::field::content_type, "video/webm");
          response.body() = fileBody();
        } else {
          response.result(bhttp::status::forbidden);
          response.set(bhttp::field::content_type, "application/json");
          response.body() = R"({"error":"the home said no"})";
        }
        response.set("X-Home", "yes");
        response.keep_alive(false);
        response.prepare_payload();
        bhttp::write(socket, response, ec);
        socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      }
    });
  }
  ~FakeHome() {
    // A blocking accept is not woken by a close from another thread: a last connection is.
    stopping_ = true;
    asio::io_context io;
    asio::ip::tcp::socket poke(io);
    beast::error_code ignored;
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<bhttp::request<bhttp::string_body>> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<bhttp::request<bhttp::string_body>> requests_;
  std::thread thread_;
};

using Answer = bhttp::response<bhttp::string_body>;

// Requests on one connection to `port`, on a thread of its own; what came back.
std::future<std::vector<Answer>> fetchAll(std::uint16_t port, std::vector<bhttp::request<bhttp::string_body>> requests) {
  return std::async(std::launch::async, [port, requests = std::move(requests)]() mutable {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    beast::flat_buffer buffer;
    std::vector<Answer> answers;
    for (auto& request : requests) {
      request.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
      request.prepare_payload();
      bhttp::write(socket, request);
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(16 * 1024 * 1024);
      bhttp::read(socket, buffer, parser);
      answers.push_back(parser.release());
    }
    return answers;
  });
}

class HttpRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store.createRoom(store::roomRecord(kRoom, "Relais", "hash", unixMillisNow())));
  }
  void TearDown() override {
    server.stop();
    server.abort();
    runUntil(io, std::chrono::seconds(2), [] { return false; });
  }
  void start(RoomPlacement& placement) {
    server.setPlacement(&placement);
    server.start();
  }
  std::uint16_t port() const { return server.localEndpoint().port(); }
  // Serves until the client has its answers (or `limit` passes: then none).
  std::vector<Answer> answersOf(std::future<std::vector<Answer>>& answers, std::chrono::seconds limit) {
    const bool ready =
        runUntil(io, limit, [&] { return answers.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
    return ready ? answers.get() : std::vector<Answer>{};
  }

  asio::io_context io;  // first: destroyed last
  store::SqliteRoomStore store{":memory:"};
  StaticFiles web{emptyWebRoot("http-relay-test")};
  signaling::RoomRegistry rooms{store};
  Router router{rooms, web};
  HttpServer server{io, {asio::ip::make_address("127.0.0.1"), 0}, router, rooms};
};

TEST_F(HttpRelayTest, TheHomesAnswersComeBackWholeOnAKeptAliveConnection) {
  FakeHome home;
  FixedPlacement placement(home.port(), kKey);
  start(placement);
  const auto relayedBefore = metrics().httpRelayed.load();
  bhttp::request<bhttp::string_body> file{bhttp::verb::get, std::string("/api/rooms/") + kRoom + "/recordings/r1/camera.webm", 11};
  file.set(bhttp::field::authorization, "Bearer moderator-token");
  file.set("X-Parley-Relay-Client", "203.0.113.9");  // a client's own: never passed on
  bhttp::request<bhttp::string_body> control{bhttp::verb::post, std::string("/api/rooms/") + kRoom + "/transcription", 11};
  control.set(bhttp::field::content_type, "application/json");
  control.body() = R"({"action":"start"})";
  auto answers = fetchAll(port(), {file, control});
  const auto got = answersOf(answers, std::chrono::seconds(20));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].result_int(), 200u);
  EXPECT_EQ(got[0][bhttp::field::content_type], "video/webm");
  EXPECT_EQ(got[0]["X-Home"], "yes");
  EXPECT_TRUE(got[0].body() == fileBody()) << "the file, whole: " << got[0].body().size() << " bytes";
  EXPECT_TRUE(got[0].keep_alive()) << "the client's connection stays open";
  EXPECT_EQ(got[1].result_int(), 403u) << "the home's refusal, as it is";
  EXPECT_EQ(got[1].body(), R"({"error":"the home said no"})");

  const auto sent = home.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0][bhttp::field::authorization], "Bearer moderator-token");
  EXPECT_EQ(sent[0]["X-Parley-Relay"], kKey);
  EXPECT_EQ(sent[0]["X-Parley-Relay-Client"], "127.0.0.1") << "the client as this node saw it";
  EXPECT_EQ(sent[0]["X-Parley-Relay-Https"], "0");
  EXPECT_EQ(sent[1].method(), bhttp::verb::post);
  EXPECT_EQ(sent[1].body(), R"({"action":"start"})");
  EXPECT_EQ(metrics().httpRelayed.load(), relayedBefore + 2);
}

TEST_F(HttpRelayTest, AHomeThatRefusesConnectionsGivesA503AndIsReportedDead) {
  std::uint16_t closedPort = 0;
  {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    closedPort = probe.local_endpoint().port();
  }
  FixedPlacement placement(closedPort, kKey);
  start(placement);
  bhttp::request<bhttp::string_body> list{bhttp::verb::get, std::string("/api/rooms/") + kRoom + "/recordings", 11};
  auto answers = fetchAll(port(), {list});
  const auto got = answersOf(answers, std::chrono::seconds(10));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result_int(), 503u);
  EXPECT_EQ(got[0][bhttp::field::retry_after], "2");
  EXPECT_EQ(placement.refused.load(), 1);
}

TEST_F(HttpRelayTest, TheRoomItselfIsAnsweredByItsHomeAndUnknownRoomsHere) {
  FakeHome home;
  FixedPlacement placement(home.port(), kKey);
  start(placement);
  // Who is in the meeting, and whether it is being recorded, are the live meeting's.
  bhttp::request<bhttp::string_body> room{bhttp::verb::get, std::string("/api/rooms/") + kRoom, 11};
  bhttp::request<bhttp::string_body> unknown{bhttp::verb::get, "/api/rooms/zzz-zzzz-zzz/recordings", 11};
  bhttp::request<bhttp::string_body> unknownRoom{bhttp::verb::get, "/api/rooms/zzz-zzzz-zzz", 11};
  bhttp::request<bhttp::string_body> create{bhttp::verb::post, "/api/rooms", 11};
  create.set(bhttp::field::content_type, "application/json");
  create.body() = R"({"name":"Ici"})";
  auto answers = fetchAll(port(), {room, unknown, unknownRoom, create});
  const auto got = answersOf(answers, std::chrono::seconds(10));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0]["X-Home"], "yes");
  EXPECT_EQ(got[1].result_int(), 404u);
  EXPECT_EQ(got[2].result_int(), 404u);
  EXPECT_EQ(got[3].result_int(), 201u) << "a new room is made here, in the shared store";
  const auto sent = home.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].target(), std::string("/api/rooms/") + kRoom);
}

}  // namespace

}  // namespace parley::http
