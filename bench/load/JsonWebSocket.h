#pragma once
// A JSON WebSocket client for the load generator's signaling (Parley's or Janus's): one per
// synthetic participant, on the shared io_context, reading without pause (servers drop
// connections that stop answering their pings) and writing frames in order.
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

class JsonWebSocket : public std::enable_shared_from_this<JsonWebSocket> {
 public:
  using OnMessage = std::function<void(const nlohmann::json&)>;
  using OnClosed = std::function<void(const std::string& why)>;

  JsonWebSocket(boost::asio::io_context& io, OnMessage onMessage, OnClosed onClosed);

  // ws://host:port{path}, offering `subprotocol` if not empty. Frames sent before the
  // connection is up leave once it is.
  void connect(const boost::asio::ip::tcp::endpoint& server, const std::string& path, const std::string& subprotocol = {});
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
