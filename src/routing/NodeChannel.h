#pragma once
// A TCP connection between two nodes of a cluster carrying messages: each a 4-byte length
// (network order) then that many bytes, at most kMaxMessage. Writes queue and leave in
// order; past kMaxQueued bytes waiting (a peer that stopped reading) the channel closes.
// Everything runs on the io_context's thread (the control thread); `onMessage` and
// `onClosed` are called there, `onClosed` once.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace parley::routing {

class NodeChannel : public std::enable_shared_from_this<NodeChannel> {
 public:
  static constexpr std::size_t kMaxMessage = 1 << 20;
  static constexpr std::size_t kMaxQueued = 64 << 20;
  using OnMessage = std::function<void(std::string message)>;
  using OnClosed = std::function<void(const std::string& why)>;

  explicit NodeChannel(boost::asio::ip::tcp::socket socket);
  // Connects within 3 s; `done` gets the channel (not started) or null.
  static void connect(boost::asio::io_context& io, const std::string& address, std::uint16_t port,
                      std::function<void(std::shared_ptr<NodeChannel>, const std::string& why)> done);

  void start(OnMessage onMessage, OnClosed onClosed);
  void send(std::string message);
  void close(const std::string& why);
  bool open() const { return open_; }

 private:
  void readHeader();
  void readBody(std::size_t length);
  void writeNext();

  boost::asio::ip::tcp::socket socket_;
  OnMessage onMessage_;
  OnClosed onClosed_;
  std::array<std::uint8_t, 4> header_{};
  std::string body_;
  std::deque<std::string> queue_;  // each framed already
  std::size_t queuedBytes_ = 0;
  bool writing_ = false;
  bool open_ = true;
};

}  // namespace parley::routing
