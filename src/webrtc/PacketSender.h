#pragma once
// Where a transport's packets leave: the worker's UDP socket, or the ICE-TCP connection the
// destination names (net::Address::tcp). WebRtcServer implements it for its transports.
#include <cstddef>
#include <cstdint>

#include "net/Address.h"

namespace parley::webrtc {

class PacketSender {
 public:
  virtual ~PacketSender() = default;
  // A buffer of net::kMaxDatagram bytes (plus room for an SRTP trailer) to write a packet
  // for `to` into, then send() it there without a copy when it goes over UDP.
  virtual std::uint8_t* sendBuffer(const net::Address& to) = 0;
  // `droppable`: may be dropped first when the path is congested (video, over TCP).
  // False if it could not be queued.
  virtual bool send(const std::uint8_t* data, std::size_t length, const net::Address& to, bool droppable = false) = 0;
};

}  // namespace parley::webrtc
