#include "net/UdpSocket.h"

#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace parley::net {

UdpSocket::UdpSocket(boost::asio::io_context& io, const Address& bindTo, std::uint8_t localIndex)
    : io_(io), socket_(io), localIndex_(localIndex) {
  sockaddr_storage storage;
  const socklen_t length = bindTo.toSockaddr(storage);
  socket_.open(bindTo.v6 ? boost::asio::ip::udp::v6() : boost::asio::ip::udp::v4());
  const int fd = socket_.native_handle();
  if (bindTo.v6) socket_.set_option(boost::asio::ip::v6_only(true));
  // Bursts of video from many publishers must not overflow the kernel's default buffers.
  const int bufferBytes = 4 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufferBytes, sizeof bufferBytes);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufferBytes, sizeof bufferBytes);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    throw std::runtime_error("cannot bind UDP " + bindTo.toString() + ": " + std::strerror(errno));
  }
  socket_.non_blocking(true);
  sockaddr_storage local;
  socklen_t localLength = sizeof local;
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength);
  localPort_ = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&local)).port;
}

UdpSocket::~UdpSocket() { close(); }

void UdpSocket::start(Receiver receiver) {
  receiver_ = std::move(receiver);
  waitReadable();
}

void UdpSocket::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void UdpSocket::waitReadable() {
  socket_.async_wait(boost::asio::ip::udp::socket::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;  // closed
    drain();
    waitReadable();
  });
}

void UdpSocket::drain() {
  mmsghdr headers[kBatch];
  iovec vectors[kBatch];
  // Bounded, so one busy socket cannot starve the worker's timers.
  for (int round = 0; round < 8; ++round) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      vectors[i] = {receiveSlots_[i].data.data(), receiveSlots_[i].data.size()};
      headers[i].msg_hdr = {};
      headers[i].msg_hdr.msg_name = &receiveSlots_[i].address;
      headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      headers[i].msg_hdr.msg_iov = &vectors[i];
      headers[i].msg_hdr.msg_iovlen = 1;
      headers[i].msg_len = 0;
    }
    const int count = ::recvmmsg(socket_.native_handle(), headers, kBatch, MSG_DONTWAIT, nullptr);
    if (count <= 0) break;
    const auto arrived = std::chrono::steady_clock::now();
    stats_.receiveBatches++;
    stats_.received += static_cast<std::uint64_t>(count);
    for (int i = 0; i < count; ++i) {
      if (headers[i].msg_hdr.msg_flags & MSG_TRUNC) continue;  // larger than any media packet
      Address from = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&receiveSlots_[i].address));
      from.local = localIndex_;
      receiver_(receiveSlots_[i].data.data(), headers[i].msg_len, from);
    }
    flush();
    const auto micros = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - arrived).count());
    stats_.batchMicrosTotal += micros;
    stats_.batchMicrosMax = std::max(stats_.batchMicrosMax, micros);
    if (static_cast<std::size_t>(count) < kBatch) break;
  }
}

void UdpSocket::send(const std::uint8_t* data, std::size_t length, const Address& to) {
  if (length > kMaxDatagram) return;
  std::memcpy(sendBuffer(), data, length);
  commit(length, to);
}

std::uint8_t* UdpSocket::sendBuffer() {
  if (queued_ == kSendQueue) flush();
  return sendSlots_[queued_].data.data();
}

void UdpSocket::commit(std::size_t length, const Address& to) {
  Slot& slot = sendSlots_[queued_++];
  slot.length = length;
  slot.addressLength = to.toSockaddr(slot.address);
  if (!flushPosted_) {
    // Sends made outside a receive batch (timers, signaling commands) still leave promptly.
    flushPosted_ = true;
    boost::asio::post(io_, [this] {
      flushPosted_ = false;
      flush();
    });
  }
}

void UdpSocket::flush() {
  if (queued_ == 0) return;
  mmsghdr headers[kSendQueue];
  iovec vectors[kSendQueue];
  for (std::size_t i = 0; i < queued_; ++i) {
    vectors[i] = {sendSlots_[i].data.data(), sendSlots_[i].length};
    headers[i].msg_hdr = {};
    headers[i].msg_hdr.msg_name = &sendSlots_[i].address;
    headers[i].msg_hdr.msg_namelen = sendSlots_[i].addressLength;
    headers[i].msg_hdr.msg_iov = &vectors[i];
    headers[i].msg_hdr.msg_iovlen = 1;
  }
  std::size_t done = 0;
  while (done < queued_) {
    const int sent = ::sendmmsg(socket_.native_handle(), headers + done, static_cast<unsigned>(queued_ - done), 0);
    if (sent <= 0) {
      if (errno == EINTR) continue;
      // A full socket buffer or an unreachable peer: drop this datagram (UDP semantics).
      stats_.sendErrors++;
      ++done;
      continue;
    }
    stats_.sendBatches++;
    stats_.sent += static_cast<std::uint64_t>(sent);
    done += static_cast<std::size_t>(sent);
  }
  queued_ = 0;
}

}  // namespace parley::net
