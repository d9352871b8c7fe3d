#include "signaling/IceServers.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>
#include <charconv>

namespace parley::signaling {

namespace {

bool validHost(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.front() == '[') return host.back() == ']' && host.size() > 2;  // an IPv6 literal
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  }
  return true;
}

std::string base64(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace

std::optional<std::string> turnUrlError(const std::string& url) {
  std::string_view rest(url);
  if (rest.starts_with("turn:")) {
    rest.remove_prefix(5);
  } else if (rest.starts_with("turns:")) {
    rest.remove_prefix(6);
  } else {
    return "a TURN URL starts with turn: or turns:";
  }
  std::string_view query;
  if (const auto mark = rest.find('?'); mark != std::string_view::npos) {
    query = rest.substr(mark + 1);
    rest = rest.substr(0, mark);
  }
  if (!query.empty() && query != "transport=udp" && query != "transport=tcp") {
    return "the only parameter a TURN URL takes is ?transport=udp or ?transport=tcp";
  }
  std::string_view host = rest;
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (rest.front() != '[' || colon > rest.rfind(']'))) {
    host = rest.substr(0, colon);
    const auto port = rest.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return "the port of a TURN URL is a number from 1 to 65535";
    }
  }
  if (!validHost(host)) return "a TURN URL names a host: a name, an IPv4 address or an [IPv6] one";
  return std::nullopt;
}

TurnCredential turnCredential(const IceServerSettings& settings, const std::string& participantId,
                              std::int64_t nowSeconds) {
  TurnCredential credential;
  credential.username = std::to_string(nowSeconds + settings.ttl.count()) + ":" + participantId;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha1(), settings.turnSecret.data(), static_cast<int>(settings.turnSecret.size()),
       reinterpret_cast<const unsigned char*>(credential.username.data()), credential.username.size(), digest.data(),
       &length);
  credential.password = base64(digest.data(), length);
  return credential;
}

}  // namespace parley::signaling
