// libFuzzer: the signaling protocol on arbitrary WebSocket frames. Each input is parsed as
// one frame, then split at new lines into frames that three connections take turns sending
// into one trusted room: its owner (signed in), a signed-in colleague and a guest, who waits.
// Whatever they send (admit, deny, settings, moderation, chat...), nothing may crash, and
// the room must stay consistent (checked by ASan/UBSan and the room's own invariants).
#include <string>
#include <string_view>

#include "signaling/Protocol.h"
#include "signaling/SignalingSession.h"
#include "store/SqliteRoomStore.h"

namespace {

using namespace parley;

class SilentPeer : public signaling::SignalingPeer {
 public:
  void send(std::string) override {}
  void close() override {}
};

struct Connection {
  Connection(signaling::RoomRegistry& rooms, const std::string& room, signaling::ConnectionInfo info)
      : session(rooms, room, peer, std::move(info)) {}
  SilentPeer peer;
  signaling::SignalingSession session;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  signaling::parseClientMessage(input);

  store::SqliteRoomStore store(":memory:");
  signaling::RoomRegistry rooms(store);
  rooms.setSignInEnabled(true);
  const signaling::Identity ana{"https://idp", "ana", "Ana"}, bruno{"https://idp", "bruno", "Bruno"};
  const auto room = rooms.create("Fuzz", ana, signaling::AccessLevel::Trusted).record.id;
  Connection owner(rooms, room, {"d1", "10.0.0.1", ana});
  Connection colleague(rooms, room, {"d2", "10.0.0.2", bruno});
  Connection guest(rooms, room, {"d3", "10.0.0.3", std::nullopt});
  Connection* connections[] = {&owner, &colleague, &guest};
  const std::string join = R"({"type":"join","version":1,"name":"X"})";
  std::int64_t now = 1000;
  for (auto* c : connections) c->session.onFrame(join, now);

  std::size_t turn = 0;
  for (std::size_t start = 0; start < input.size();) {
    const auto end = std::min(input.find('\n', start), input.size());
    connections[turn++ % 3]->session.onFrame(input.substr(start, end - start), now += 250);
    start = end + 1;
  }
  rooms.sweep(now + 11 * 60 * 1000);  // waiting requests lapse
  return 0;
}
