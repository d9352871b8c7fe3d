#include "routing/NodeChannel.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "common/Bytes.h"

namespace parley::routing {

namespace asio = boost::asio;
using asio::ip::tcp;

NodeChannel::NodeChannel(tcp::socket socket) : socket_(std::move(socket)) {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
}

void NodeChannel::connect(asio::io_context& io, const std::string& address, std::uint16_t port,
                          std::function<void(std::shared_ptr<NodeChannel>, const std::string&)> done) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) {
    done(nullptr, "invalid address " + address);
    return;
  }
  auto socket = std::make_shared<tcp::socket>(io);
  auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(3));
  timer->async_wait([socket](const boost::system::error_code& e) {
    if (!e) socket->close();  // too slow: the connect completes with an error
  });
  socket->async_connect(tcp::endpoint(ip, port), [socket, timer, done](const boost::system::error_code& e) {
    timer->cancel();
    if (e) {
      done(nullptr, e.message());
      return;
    }
    done(std::make_shared<NodeChannel>(std::move(*socket)), {});
  });
}

void NodeChannel::start(OnMessage onMessage, OnClosed onClosed) {
  onMessage_ = std::move(onMessage);
  onClosed_ = std::move(onClosed);
  readHeader();
}

void NodeChannel::readHeader() {
  asio::async_read(socket_, asio::buffer(header_), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    if (ec) return self->close(ec.message());
    const std::size_t length = read32(self->header_.data());
    if (length > kMaxMessage) return self->close("a message of " + std::to_string(length) + " bytes");
    self->readBody(length);
  });
}

void NodeChannel::readBody(std::size_t length) {
  body_.resize(length);
  asio::async_read(socket_, asio::buffer(body_), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    if (ec) return self->close(ec.message());
    if (!self->open_) return;
    std::string message = std::move(self->body_);
    self->onMessage_(std::move(message));
    if (self->open_) self->readHeader();
  });
}

void NodeChannel::send(std::string message) {
  if (!open_) return;
  if (message.size() > kMaxMessage) return close("an outgoing message of " + std::to_string(message.size()) + " bytes");
  std::string framed(4, '\0');
  write32(reinterpret_cast<std::uint8_t*>(framed.data()), static_cast<std::uint32_t>(message.size()));
  framed += message;
  queuedBytes_ += framed.size();
  if (queuedBytes_ > kMaxQueued) return close("the other node does not read");
  queue_.push_back(std::move(framed));
  if (!writing_) writeNext();
}

void NodeChannel::writeNext() {
  if (queue_.empty() || !open_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(queue_.front()), [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    if (ec) return self->close(ec.message());
    if (!self->open_) return;
    self->queuedBytes_ -= self->queue_.front().size();
    self->queue_.pop_front();
    self->writeNext();
  });
}

void NodeChannel::close(const std::string& why) {
  if (!open_) return;
  open_ = false;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  if (onClosed_) {
    auto closed = std::move(onClosed_);
    closed(why);
  }
}

}  // namespace parley::routing
