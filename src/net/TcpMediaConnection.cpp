#include "net/TcpMediaConnection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

namespace parley::net {

TcpMediaConnection::TcpMediaConnection(boost::asio::ip::tcp::socket socket, const Address& peer, const Events& events)
    : socket_(std::move(socket)), peer_(peer), events_(events), opened_(std::chrono::steady_clock::now()),
      out_(kSendCapacity) {}

void TcpMediaConnection::start() { readNext(); }

void TcpMediaConnection::readNext() {
  const auto space = in_.space();
  socket_.async_read_some(boost::asio::buffer(space.data(), space.size()),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
                            if (self->closed_) return;
                            if (ec) return self->close();
                            const bool good = self->in_.received(bytes, [&](std::uint8_t* data, std::size_t length) {
                              if (!self->closed_) self->events_.receive(data, length, self->peer_);
                            });
                            if (self->closed_) return;  // the receiver closed us
                            if (!good) {
                              self->counters_.framingErrors++;
                              return self->close();
                            }
                            self->readNext();
                          });
}

bool TcpMediaConnection::send(const std::uint8_t* data, std::size_t length, bool droppable) {
  if (closed_ || length == 0 || length > kMaxFramedPacket) return false;
  const std::size_t framed = kFrameHeader + length;
  if (outSize_ + framed > kSendCapacity || (droppable && outSize_ + framed > kDroppableAbove)) {
    counters_.droppedBacklog++;
    dropped_ = true;
    return false;
  }
  const std::uint8_t header[kFrameHeader] = {static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
  put(header, kFrameHeader);
  put(data, length);
  // Everything sent while this handler runs leaves in one write.
  if (!writing_ && !flushPosted_) {
    flushPosted_ = true;
    boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->flushPosted_ = false;
      if (!self->writing_) self->writeNext();
    });
  }
  return true;
}

void TcpMediaConnection::put(const std::uint8_t* data, std::size_t length) {
  const std::size_t end = (outStart_ + outSize_) % kSendCapacity;
  const std::size_t first = std::min(length, kSendCapacity - end);
  std::memcpy(out_.data() + end, data, first);
  std::memcpy(out_.data(), data + first, length - first);
  outSize_ += length;
}

void TcpMediaConnection::writeNext() {
  if (closed_ || outSize_ == 0) {
    writing_ = false;
    return;
  }
  writing_ = true;
  const std::size_t first = std::min(outSize_, kSendCapacity - outStart_);
  const std::array<boost::asio::const_buffer, 2> parts = {boost::asio::buffer(out_.data() + outStart_, first),
                                                          boost::asio::buffer(out_.data(), outSize_ - first)};
  socket_.async_write_some(parts, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
    if (self->closed_) return;
    if (ec) return self->close();
    self->outStart_ = (self->outStart_ + bytes) % kSendCapacity;
    self->outSize_ -= bytes;
    if (self->dropped_ && self->outSize_ < kDrainedBelow) {
      self->dropped_ = false;
      self->events_.drained(self->peer_);
      if (self->closed_) return;
    }
    self->writeNext();
  });
}

void TcpMediaConnection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  events_.closed(peer_);
}

}  // namespace parley::net
