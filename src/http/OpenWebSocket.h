#pragma once
// What the server holds of every WebSocket it accepted (a signaling session, or a relay to
// a room's home node), to end them all when it stops.
namespace parley::http {

class OpenWebSocket {
 public:
  virtual ~OpenWebSocket() = default;
  // Server shutdown: close with "going away".
  virtual void shutdown() = 0;
  // Server shutdown, once the close handshakes had their time: ends at once, so that
  // nothing of the connection outlives the rooms.
  virtual void abort() = 0;
};

}  // namespace parley::http
