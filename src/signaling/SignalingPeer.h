#pragma once
// The signaling layer's view of one client connection. The transport (a WebSocket in
// src/http) implements it; signaling never sees sockets.
#include <string>

namespace parley::signaling {

class SignalingPeer {
 public:
  virtual ~SignalingPeer() = default;
  // Queues one text frame; never blocks.
  virtual void send(std::string frame) = 0;
  // Ends the connection once queued frames are out.
  virtual void close() = 0;
};

}  // namespace parley::signaling
