#pragma once
// One ICE-TCP connection a browser opened to a worker (we are the passive side): RFC 4571
// frames in and out, on the worker's thread. Sending never blocks the worker: packets are
// copied into a fixed buffer (256 KiB, allocated once) that one gathered write at a time
// drains. A reader slower than its media fills it; past half full, packets marked
// droppable (video) are dropped, so audio and control still get through, and past full
// everything is. When it has dropped and then drains below an eighth, its owner is told,
// so the SFU can ask for a key frame and the picture recovers at once.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "net/Address.h"
#include "net/Rfc4571.h"

namespace parley::net {

class TcpMediaConnection : public std::enable_shared_from_this<TcpMediaConnection> {
 public:
  static constexpr std::size_t kSendCapacity = 256 * 1024;
  static constexpr std::size_t kDroppableAbove = kSendCapacity / 2;
  static constexpr std::size_t kDrainedBelow = kSendCapacity / 8;

  struct Events {
    // A packet from the peer; may be modified in place until return.
    std::function<void(std::uint8_t* data, std::size_t length, const Address& from)> receive;
    // Dropped packets for a full buffer earlier, and now it has drained.
    std::function<void(const Address& peer)> drained;
    // The connection ended (peer closed, error, garbage framing); called once.
    std::function<void(const Address& peer)> closed;
  };

  TcpMediaConnection(boost::asio::ip::tcp::socket socket, const Address& peer, const Events& events);

  void start();
  // Copies one packet in; false if it was dropped (full buffer, or closed).
  bool send(const std::uint8_t* data, std::size_t length, bool droppable);
  void close();

  const Address& peer() const { return peer_; }
  std::chrono::steady_clock::time_point opened() const { return opened_; }
  // Set by the owner once an authentic ICE check arrived on it.
  bool bound = false;

  struct Counters {
    std::uint64_t droppedBacklog = 0;  // packets dropped for a full send buffer
    std::uint64_t framingErrors = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  void readNext();
  void put(const std::uint8_t* data, std::size_t length);
  void writeNext();

  boost::asio::ip::tcp::socket socket_;
  Address peer_;
  const Events& events_;
  std::chrono::steady_clock::time_point opened_;
  FrameReader in_;
  // Outgoing bytes: a ring of framed packets.
  std::vector<std::uint8_t> out_;
  std::size_t outStart_ = 0;
  std::size_t outSize_ = 0;
  bool writing_ = false;
  bool flushPosted_ = false;
  bool dropped_ = false;  // since the last time it drained
  bool closed_ = false;
  Counters counters_;
};

}  // namespace parley::net
