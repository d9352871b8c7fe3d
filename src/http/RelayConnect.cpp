#include "http/RelayConnect.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <string>

#include "http/Router.h"

namespace parley::http {

namespace {
constexpr auto kConnectTimeout = std::chrono::seconds(3);
}  // namespace

void connectToHome(boost::beast::tcp_stream& stream, const RelayTarget& home, std::string_view relay,
                   std::function<void(const boost::beast::error_code&)> done) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(home.address, ec);
  if (ec) {
    spdlog::warn("{}: node {} has no usable address '{}'", relay, home.nodeId, home.address);
    return done(ec);
  }
  stream.expires_after(kConnectTimeout);
  stream.async_connect(
      boost::asio::ip::tcp::endpoint(address, home.port),
      [done = std::move(done), refused = home.refused, node = home.nodeId, where = home.address + ":" + std::to_string(home.port),
       relay = std::string(relay)](const boost::beast::error_code& ec) {
        if (ec) {
          spdlog::warn("{}: node {} at {} unreachable: {}", relay, node, where, ec.message());
          if (ec == boost::asio::error::connection_refused && refused) refused();
        }
        done(ec);
      });
}

Response relayRefusal(unsigned status, std::string_view message, unsigned version, bool keepAlive) {
  auto response = Router::error(status, message, version);
  if (status == 503) response.set(boost::beast::http::field::retry_after, "2");
  response.keep_alive(keepAlive);
  return response;
}

}  // namespace parley::http
