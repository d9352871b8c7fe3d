#include "http/HttpPolicy.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace parley::http {

namespace bhttp = boost::beast::http;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "host", "host:port", "[v6]" or "[v6]:port" into the host part; nullopt if malformed.
std::optional<std::string_view> hostPart(std::string_view host) {
  if (host.empty() || host.size() > 255) return std::nullopt;
  if (host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    return host.substr(1, close - 1);
  }
  const auto colon = host.find(':');
  return host.substr(0, colon);
}

bool isIpLiteral(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

}  // namespace

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  IpNetwork network;
  network.address = boost::asio::ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return std::nullopt;
  const unsigned bits = network.address.is_v4() ? 32 : 128;
  network.prefix = bits;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), network.prefix);
    if (error != std::errc() || end != digits.data() + digits.size() || network.prefix > bits) return std::nullopt;
  }
  return network;
}

bool IpNetwork::contains(const boost::asio::ip::address& ip) const {
  auto candidate = ip;
  if (candidate.is_v6() && candidate.to_v6().is_v4_mapped() && address.is_v4()) {
    candidate = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, candidate.to_v6());
  }
  if (candidate.is_v4() != address.is_v4()) return false;
  const auto bytesOf = [](const boost::asio::ip::address& a) {
    std::array<unsigned char, 16> out{};
    if (a.is_v4()) {
      const auto b = a.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), out.begin());
    } else {
      out = a.to_v6().to_bytes();
    }
    return out;
  };
  const auto a = bytesOf(address), b = bytesOf(candidate);
  unsigned bits = prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    const unsigned char mask = bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

bool inAny(const std::vector<IpNetwork>& networks, const boost::asio::ip::address& ip) {
  return std::any_of(networks.begin(), networks.end(), [&](const IpNetwork& n) { return n.contains(ip); });
}

bool HttpPolicy::trusts(const boost::asio::ip::address& peer) const { return inAny(trustedProxies, peer); }

std::optional<std::string> hostOfUrl(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (url.substr(0, scheme.size()) != scheme) continue;
    auto rest = url.substr(scheme.size());
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (rest.empty() || rest.find('@') != std::string_view::npos || !hostPart(rest)) return std::nullopt;
    return lower(rest);
  }
  return std::nullopt;
}

bool hostAllowed(const HttpPolicy& policy, std::string_view host) {
  const auto name = hostPart(host);
  if (!name || name->empty()) return false;
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) {
      return false;
    }
  }
  const std::string lowered = lower(host);
  if (std::find(policy.publicHosts.begin(), policy.publicHosts.end(), lowered) != policy.publicHosts.end()) return true;
  // A configured host without a port also matches it on any port, and the reverse.
  for (const auto& configured : policy.publicHosts) {
    if (hostPart(configured) && lower(*hostPart(configured)) == lower(*name)) return true;
  }
  const std::string bare = lower(*name);
  return isIpLiteral(bare) || bare == "localhost";
}

ClientInfo clientOf(const HttpPolicy& policy, const boost::asio::ip::address& peer, const Request& request) {
  ClientInfo client{peer, false};
  if (!policy.trusts(peer)) return client;
  // The proxy appends the address it saw: walk from the right past our own proxies.
  const std::string_view forwarded = request["X-Forwarded-For"];
  std::string_view rest = forwarded;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const auto item = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(item), ec);
    if (ec) break;
    client.address = address;
    if (!policy.trusts(address)) break;
  }
  client.https = lower(trim(request["X-Forwarded-Proto"])) == "https";
  return client;
}

bool originAllowed(const Request& request, const ClientInfo& client) {
  const std::string_view origin = request[bhttp::field::origin];
  if (origin.empty()) return true;
  const std::string expected = std::string(client.https ? "https://" : "http://") + lower(request[bhttp::field::host]);
  return lower(origin) == expected;
}

bool transferEncodingAcceptable(const Request& request) {
  const auto it = request.find(bhttp::field::transfer_encoding);
  if (it == request.end()) return true;
  if (request.count(bhttp::field::transfer_encoding) != 1) return false;
  if (request.find(bhttp::field::content_length) != request.end()) return false;
  return lower(trim(it->value())) == "chunked";
}

}  // namespace parley::http
