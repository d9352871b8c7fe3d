#pragma once
// What the two relays to a room's home (HttpRelay for REST, WebSocketRelay for signaling)
// and the session that chooses between them share: the connection to the home, and the
// answer a client gets when the home cannot be reached.
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <functional>
#include <string_view>

#include "http/HttpPolicy.h"
#include "http/RoomPlacement.h"

namespace parley::http {

// Connects `stream` to `home` within 3 s, then calls `done` with the outcome. A failure is
// logged under `relay`'s name; a refused connection (nothing listens there: the home's
// process is gone) is reported through home.refused first, so its rooms move at once.
void connectToHome(boost::beast::tcp_stream& stream, const RelayTarget& home, std::string_view relay,
                   std::function<void(const boost::beast::error_code&)> done);

// `status` with `message` instead of the home's answer; a 503 says when to try again.
Response relayRefusal(unsigned status, std::string_view message, unsigned version, bool keepAlive);

}  // namespace parley::http
