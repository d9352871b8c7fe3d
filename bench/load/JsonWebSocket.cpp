#include "JsonWebSocket.h"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

namespace parley::bench {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

JsonWebSocket::JsonWebSocket(boost::asio::io_context& io, OnMessage onMessage, OnClosed onClosed)
    : ws_(io), onMessage_(std::move(onMessage)), onClosed_(std::move(onClosed)) {}

void JsonWebSocket::connect(const boost::asio::ip::tcp::endpoint& server, const std::string& path,
                            const std::string& subprotocol) {
  auto self = shared_from_this();
  if (!subprotocol.empty()) {
    ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::request_type& request) {
      request.set(boost::beast::http::field::sec_websocket_protocol, subprotocol);
    }));
  }
  beast::get_lowest_layer(ws_).async_connect(server, [this, self, server, path](beast::error_code ec) {
    if (ec) return onClosed_("cannot connect: " + ec.message());
    const std::string host = server.address().to_string() + ":" + std::to_string(server.port());
    ws_.async_handshake(host, path, [this, self](beast::error_code ec) {
      if (ec) return onClosed_("WebSocket handshake failed: " + ec.message());
      open_ = true;
      write();
      read();
    });
  });
}

void JsonWebSocket::send(const nlohmann::json& message) {
  outbox_.push_back(message.dump());
  if (open_ && !writing_) write();
}

void JsonWebSocket::write() {
  if (outbox_.empty() || writing_) return;
  writing_ = true;
  auto self = shared_from_this();
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(outbox_.front()), [this, self](beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return onClosed_("write failed: " + ec.message());
    outbox_.pop_front();
    write();
  });
}

void JsonWebSocket::read() {
  auto self = shared_from_this();
  ws_.async_read(buffer_, [this, self](beast::error_code ec, std::size_t) {
    if (ec) {
      open_ = false;
      return onClosed_(ec == websocket::error::closed ? "closed by the server" : ec.message());
    }
    const auto text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    auto message = nlohmann::json::parse(text, nullptr, false);
    if (!message.is_discarded()) onMessage_(message);
    read();
  });
}

void JsonWebSocket::close() {
  if (!open_) return;
  open_ = false;
  auto self = shared_from_this();
  ws_.async_close(websocket::close_code::normal, [self](beast::error_code) {});
}

}  // namespace parley::bench
