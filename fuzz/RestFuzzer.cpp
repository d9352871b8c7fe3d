// libFuzzer: the REST API on arbitrary bodies and query strings: room creation's JSON,
// transcription's JSON, the transcript's query, through the Router as the server runs it
// (in-memory SQLite, no sockets). Nothing may crash, hang or answer 5xx but 503.
#include <cstdlib>
#include <string>

#include "http/Router.h"
#include "store/SqliteRoomStore.h"

namespace {
struct World {
  parley::store::SqliteRoomStore store{":memory:"};
  parley::signaling::RoomRegistry rooms{store};
  parley::http::StaticFiles web{"/nonexistent"};
  parley::http::Router router{rooms, web};
  std::string roomId, token;
  World() {
    const auto created = rooms.create("fuzz");
    roomId = created.record.id;
    token = created.moderatorToken;
    const auto id = store.startTranscription(roomId, 1);
    store.addTranscriptSegment(id, {0, 1000, "p", "Ana", "bonjour"});
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  namespace bhttp = boost::beast::http;
  if (size < 2) return 0;
  const std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  parley::http::Request request;
  request.version(11);
  request.set(bhttp::field::host, "127.0.0.1:8080");
  request.set(bhttp::field::authorization, "Bearer " + world.token);
  switch (data[0] % 4) {
    case 0:
      request.method(bhttp::verb::post);
      request.target("/api/rooms");
      request.body() = rest;
      break;
    case 1:
      request.method(bhttp::verb::post);
      request.target("/api/rooms/" + world.roomId + "/transcription");
      request.body() = rest;
      break;
    case 2:
      request.method(bhttp::verb::get);
      request.target("/api/rooms/" + world.roomId + "/transcript?" + rest.substr(0, 2000));
      break;
    default:
      request.method(bhttp::verb::get);
      request.target("/r/" + rest.substr(0, 200));
      request.set("Sec-Fetch-Site", "cross-site");
      break;
  }
  request.prepare_payload();
  // Each input from its own address, so rate limits do not hide the parsers.
  const auto client = boost::asio::ip::make_address_v4(0x0A000000u | (data[1] << 8) | (size & 0xFF));
  const auto response = world.router.handle(request, {client, false});
  const unsigned status = response.result_int();
  if (status >= 500 && status != 503) std::abort();
  return 0;
}
