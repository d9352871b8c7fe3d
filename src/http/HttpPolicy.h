#pragma once
// Who the HTTP front end talks to: which Host names are ours (so a DNS rebinding page cannot
// use a browser to reach us under its own name), which proxies may say who the client is
// (X-Forwarded-For and -Proto count only from them), and the client address and scheme that
// follow for each request. Pure functions over headers, no sockets.
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// An IP network: "10.0.0.0/8", "fd00::/8", or one address ("192.0.2.7").
struct IpNetwork {
  boost::asio::ip::address address;
  unsigned prefix = 0;
  static std::optional<IpNetwork> parse(std::string_view text);
  bool contains(const boost::asio::ip::address& ip) const;
};
// Whether `ip` is in any of `networks` (an IPv4 peer of a dual-stack socket, ::ffff:a.b.c.d,
// matches a.b.c.d).
bool inAny(const std::vector<IpNetwork>& networks, const boost::asio::ip::address& ip);

// Strict-Transport-Security on every answer over TLS: a year.
inline constexpr std::string_view kHsts = "max-age=31536000";

struct HttpPolicy {
  // Host[:port] of each --public-url, lowercase; the Host headers we answer besides IP
  // literals and localhost.
  std::vector<std::string> publicHosts;
  std::vector<IpNetwork> trustedProxies;
  // Open connections (HTTP and WebSocket) one client address may hold; a building behind
  // one NAT address is many people, so this is generous.
  std::size_t maxConnectionsPerAddress = 1000;
  bool trusts(const boost::asio::ip::address& peer) const;
};

// The host[:port] of an http(s) URL, lowercase; nullopt if it is not one.
std::optional<std::string> hostOfUrl(std::string_view url);

// Whether a Host header names this server: a configured public host, an IP literal, or
// localhost. None of these can be a name an attacker's DNS points at us.
bool hostAllowed(const HttpPolicy& policy, std::string_view host);

struct ClientInfo {
  boost::asio::ip::address address;  // the client: the peer, or who a trusted proxy names
  bool https = false;                // as the client reached us
  std::string key() const { return address.to_string(); }
};

// The client behind a connection from `peer`.
ClientInfo clientOf(const HttpPolicy& policy, const boost::asio::ip::address& peer, const Request& request);

// A browser's WebSocket upgrade must come from a page of this server: Origin equals the
// scheme and Host the request was sent to. Requests without Origin (tools) pass.
bool originAllowed(const Request& request, const ClientInfo& client);

// Transfer-Encoding a request may use: none, or exactly "chunked". Anything else (gzip,
// a list, chunked with Content-Length) is refused, so no proxy in front can read the body
// differently from us.
bool transferEncodingAcceptable(const Request& request);

}  // namespace parley::http
