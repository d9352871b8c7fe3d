#pragma once
// A UDP socket on an Asio io_context that reads and writes in batches: recvmmsg drains
// up to 32 datagrams per wake-up, and sends are queued and leave in one sendmmsg at the
// end of the batch (or when the queue fills). Buffers are allocated once, up front.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <cstdint>
#include <functional>

#include "net/Address.h"

namespace parley::net {

inline constexpr std::size_t kMaxDatagram = 2048;

class UdpSocket {
 public:
  // Called for every datagram; `data` may be modified in place (decryption) until return.
  using Receiver = std::function<void(std::uint8_t* data, std::size_t length, const Address& from)>;

  // `localIndex` is stamped on every source address (Address::local): which of the owner's
  // sockets the peer reached. An IPv6 socket takes IPv6 only, so IPv4 can bind the same port.
  UdpSocket(boost::asio::io_context& io, const Address& bindTo, std::uint8_t localIndex = 0);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  void start(Receiver receiver);
  void close();
  // Queues a datagram (copied); it leaves with the batch.
  void send(const std::uint8_t* data, std::size_t length, const Address& to);
  // Zero-copy sending: write up to kMaxDatagram bytes into sendBuffer(), then commit().
  std::uint8_t* sendBuffer();
  void commit(std::size_t length, const Address& to);
  // commit() if `data` is sendBuffer(), else send(): callers need not know which they hold.
  void commitOrSend(const std::uint8_t* data, std::size_t length, const Address& to) {
    if (queued_ < kSendQueue && data == sendSlots_[queued_].data.data()) commit(length, to);
    else send(data, length, to);
  }
  void flush();

  std::uint16_t localPort() const { return localPort_; }

  struct Stats {
    std::uint64_t received = 0;
    std::uint64_t sent = 0;
    std::uint64_t sendErrors = 0;
    std::uint64_t receiveBatches = 0;
    std::uint64_t sendBatches = 0;
    // Time from a batch's arrival (recvmmsg returned) to its last send (sendmmsg
    // returned): what the server adds to the packets of that batch.
    std::uint64_t batchMicrosTotal = 0;
    std::uint64_t batchMicrosMax = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  static constexpr std::size_t kBatch = 32;
  static constexpr std::size_t kSendQueue = 64;
  void waitReadable();
  void drain();

  boost::asio::io_context& io_;
  boost::asio::ip::udp::socket socket_;
  Receiver receiver_;
  std::uint16_t localPort_ = 0;
  std::uint8_t localIndex_ = 0;
  bool flushPosted_ = false;
  Stats stats_;

  struct Slot {
    std::array<std::uint8_t, kMaxDatagram> data;
    sockaddr_storage address;
    std::size_t length;
    socklen_t addressLength;
  };
  std::array<Slot, kBatch> receiveSlots_;
  std::array<Slot, kSendQueue> sendSlots_;
  std::size_t queued_ = 0;
};

}  // namespace parley::net
