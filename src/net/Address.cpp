#include "net/Address.h"

#include <arpa/inet.h>

namespace parley::net {

Address Address::fromSockaddr(const sockaddr* sa) {
  Address a;
  if (sa->sa_family == AF_INET6) {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
    a.v6 = true;
    std::memcpy(a.ip.data(), &s6->sin6_addr, 16);
    a.port = ntohs(s6->sin6_port);
  } else {
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(sa);
    std::memcpy(a.ip.data(), &s4->sin_addr, 4);
    a.port = ntohs(s4->sin_port);
  }
  return a;
}

Address Address::ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
  Address out;
  out.ip[0] = a;
  out.ip[1] = b;
  out.ip[2] = c;
  out.ip[3] = d;
  out.port = port;
  return out;
}

bool Address::parse(const std::string& ip, std::uint16_t port, Address& out) {
  out = Address{};
  out.port = port;
  if (inet_pton(AF_INET, ip.c_str(), out.ip.data()) == 1) return true;
  out.v6 = true;
  return inet_pton(AF_INET6, ip.c_str(), out.ip.data()) == 1;
}

socklen_t Address::toSockaddr(sockaddr_storage& storage) const {
  std::memset(&storage, 0, sizeof storage);
  if (v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&storage);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    std::memcpy(&s6->sin6_addr, ip.data(), 16);
    return sizeof(sockaddr_in6);
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&storage);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(port);
  std::memcpy(&s4->sin_addr, ip.data(), 4);
  return sizeof(sockaddr_in);
}

std::string Address::ipString() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, ip.data(), buffer, sizeof buffer);
  return buffer;
}

std::string Address::toString() const {
  std::string text = v6 ? "[" + ipString() + "]:" + std::to_string(port) : ipString() + ":" + std::to_string(port);
  return tcp ? "tcp/" + text : text;
}

}  // namespace parley::net
