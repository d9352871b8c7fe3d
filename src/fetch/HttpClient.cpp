#include "fetch/HttpClient.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace parley::fetch {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;

Url parseUrl(const std::string& text) {
  Url url;
  std::string rest;
  if (text.rfind("http://", 0) == 0) {
    rest = text.substr(7);
  } else if (text.rfind("https://", 0) == 0) {
    url.https = true;
    rest = text.substr(8);
  } else {
    throw std::invalid_argument("the URL must start with http:// or https://: " + text);
  }
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  url.path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) throw std::invalid_argument("bad IPv6 address in " + text);
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') url.port = authority.substr(close + 2);
  } else {
    const auto colon = authority.rfind(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) url.port = authority.substr(colon + 1);
  }
  if (url.host.empty()) throw std::invalid_argument("no host in " + text);
  if (url.port.empty()) url.port = url.https ? "443" : "80";
  return url;
}

std::string hostHeader(const Url& url) {
  // RFC 9110 7.2: the port unless it is the scheme's default; IPv6 in brackets.
  const std::string host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
  const bool defaultPort = url.port == (url.https ? "443" : "80");
  return defaultPort ? host : host + ":" + url.port;
}

namespace {

// Runs one asynchronous operation to its end on `io` and throws its error. Beast's stream
// timeouts apply to asynchronous operations only (a blocking read on a tcp_stream waits
// forever for a server that accepted and never answers), so the blocking client is made of
// these steps, under the stream's one deadline.
template <typename Start>
void step(net::io_context& io, Start start) {
  beast::error_code result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  if (result) throw beast::system_error(result);
}

template <typename Stream>
HttpResponse exchange(net::io_context& io, Stream& stream, bhttp::verb method, const Url& url, const std::string& target,
                      const std::map<std::string, std::string>& headers, const std::string& body,
                      std::size_t maxResponseBytes) {
  bhttp::request<bhttp::string_body> request{method, target, 11};
  request.set(bhttp::field::host, hostHeader(url));
  request.set(bhttp::field::user_agent, "parley");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (method != bhttp::verb::get) {
    request.body() = body;
    request.prepare_payload();
  }
  step(io, [&](auto handler) { bhttp::async_write(stream, request, std::move(handler)); });
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(maxResponseBytes);
  step(io, [&](auto handler) { bhttp::async_read(stream, buffer, parser, std::move(handler)); });
  return {static_cast<int>(parser.get().result_int()), parser.get().body(),
          std::string(parser.get()[bhttp::field::content_type])};
}

HttpResponse request(bhttp::verb method, const Url& url, const std::string& target,
                     const std::map<std::string, std::string>& headers, const std::string& body,
                     std::chrono::seconds timeout, std::size_t maxResponseBytes) {
  net::io_context io;
  try {
    net::ip::tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(url.host, url.port);
    if (!url.https) {
      beast::tcp_stream stream(io);
      stream.expires_after(timeout);  // for the whole exchange
      step(io, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
      auto response = exchange(io, stream, method, url, target, headers, body, maxResponseBytes);
      beast::error_code ignored;
      stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
      return response;
    }
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(io, tls);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) throw HttpError("cannot set TLS SNI");
    stream.set_verify_callback(net::ssl::host_name_verification(url.host));
    beast::get_lowest_layer(stream).expires_after(timeout);  // for the whole exchange
    step(io, [&](auto handler) { beast::get_lowest_layer(stream).async_connect(endpoints, std::move(handler)); });
    step(io, [&](auto handler) { stream.async_handshake(net::ssl::stream_base::client, std::move(handler)); });
    return exchange(io, stream, method, url, target, headers, body, maxResponseBytes);
  } catch (const beast::system_error& e) {
    throw HttpError(url.host + ":" + url.port + ": " + e.code().message());
  }
}

}  // namespace

HttpResponse httpPost(const Url& url, const std::string& target, const std::map<std::string, std::string>& headers,
                      const std::string& body, std::chrono::seconds timeout, std::size_t maxResponseBytes) {
  return request(bhttp::verb::post, url, target, headers, body, timeout, maxResponseBytes);
}

HttpResponse httpGet(const Url& url, const std::string& target, const std::map<std::string, std::string>& headers,
                     std::chrono::seconds timeout, std::size_t maxResponseBytes) {
  return request(bhttp::verb::get, url, target, headers, {}, timeout, maxResponseBytes);
}

}  // namespace parley::fetch
