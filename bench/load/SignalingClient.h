#pragma once
// The load generator's side of Parley's signaling: one WebSocket per synthetic participant,
// on the shared io_context, reading without pause (the server drops connections that stop
// answering its pings) and writing JSON frames in order.
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

namespace parley::bench {

class SignalingClient : public std::enable_shared_from_this<SignalingClient> {
 public:
  using OnMessage = std::function<void(const nlohmann::json&)>;
  using OnClosed = std::function<void(const std::string& why)>;

  SignalingClient(boost::asio::io_context& io, OnMessage onMessage, OnClosed onClosed);

  // ws://host:port/ws/{room}; the first frame to send is `join`.
  void connect(const boost::asio::ip::tcp::endpoint& server, const std::string& roomId);
  void send(const nlohmann::json& message);
  void close();

 private:
  void read();
  void write();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool open_ = false, writing_ = false;
  OnMessage onMessage_;
  OnClosed onClosed_;
};

}  // namespace parley::bench
