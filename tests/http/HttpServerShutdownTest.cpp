// The server's shutdown with a client that never answers the close: its participant leaves
// the room while the room still exists. Before HttpServer::abort, such a session lived on in
// the io_context's pending handlers and left its room from the io_context's destructor,
// after the rooms were destroyed (a use-after-free that killed the server on SIGTERM).
// Real sockets on loopback; the client is a plain Beast WebSocket on its own thread.
#include "http/HttpServer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/beast/websocket.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "common/Clock.h"
#include "ServerLoop.h"
#include "http/Router.h"
#include "http/StaticFiles.h"
#include "signaling/RoomRegistry.h"
#include "store/SqliteRoomStore.h"
#include "store/StoreContract.h"

namespace parley::http {

namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;

constexpr const char* kRoom = "abc-defg-hij";

using testing::emptyWebRoot;
using testing::runUntil;

// A participant that joins, reads its welcome, then reads nothing more until released: the
// server's "going away" is never answered.
class SilentClient {
 public:
  explicit SilentClient(unsigned short port) {
    thread_ = std::thread([this, port, released = released_.get_future()] {
      try {
        asio::io_context io;
        websocket::stream<asio::ip::tcp::socket> ws(io);
        ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
        ws.handshake("127.0.0.1:" + std::to_string(port), std::string("/ws/") + kRoom);
        ws.text(true);
        ws.write(asio::buffer(std::string(R"({"type":"join","version":1,"name":"Silent"})")));
        boost::beast::flat_buffer welcome;
        ws.read(welcome);
        released.wait();
      } catch (const std::exception& e) {
        failure_ = e.what();
      }
    });
  }
  ~SilentClient() { release(); }
  void release() {
    if (!thread_.joinable()) return;
    released_.set_value();
    thread_.join();
  }
  const std::string& failure() const { return failure_; }

 private:
  std::promise<void> released_;
  std::thread thread_;
  std::string failure_;
};

TEST(HttpServerShutdown, AParticipantWhoNeverAnswersTheCloseLeavesBeforeTheRoomsGo) {
  // Declared first, destroyed last: whatever its handlers still hold dies after the rooms.
  asio::io_context io;
  store::SqliteRoomStore store(":memory:");
  ASSERT_TRUE(store.createRoom(store::roomRecord(kRoom, "Weekly", "hash", unixMillisNow())));
  signaling::RoomRegistry rooms(store);
  StaticFiles web(emptyWebRoot("shutdown-test"));
  Router router(rooms, web);
  HttpServer server(io, {asio::ip::make_address("127.0.0.1"), 0}, router, rooms);
  server.start();

  SilentClient client(server.localEndpoint().port());
  ASSERT_TRUE(runUntil(io, std::chrono::seconds(10), [&] { return rooms.participantCount() == 1; }))
      << client.failure();

  // Every frame for the client written, so that the server's close frame can go out.
  runUntil(io, std::chrono::milliseconds(300), [] { return false; });
  server.stop();
  // The close frame goes out and is not answered: the connection and the participant stay.
  runUntil(io, std::chrono::milliseconds(300), [] { return false; });
  EXPECT_EQ(server.openWebSockets(), 1u);
  EXPECT_EQ(rooms.participantCount(), 1u);

  server.abort();
  EXPECT_EQ(rooms.participantCount(), 0u) << "the participant leaves at once";
  EXPECT_TRUE(runUntil(io, std::chrono::seconds(5), [&] { return server.openWebSockets() == 0; }))
      << "the session is destroyed while the rooms exist";
  client.release();
  EXPECT_EQ(client.failure(), "");
}

}  // namespace

}  // namespace parley::http
