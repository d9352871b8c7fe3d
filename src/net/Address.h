#pragma once
// A media endpoint as a value: IPv4 or IPv6 address, port, whether it is the far end of a
// TCP connection (ICE-TCP, RFC 6544) rather than a UDP peer, and which of our local
// addresses it talks to (a worker has a socket per address); cheap to copy, compare, hash.
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>

namespace parley::net {

struct Address {
  bool v6 = false;
  std::array<std::uint8_t, 16> ip{};  // IPv4 in the first four bytes
  std::uint16_t port = 0;
  bool tcp = false;
  // The index of the local socket (address) the peer reached: replies leave from it, so
  // they come from the address the peer sent to. 0 when there is one.
  std::uint8_t local = 0;

  static Address fromSockaddr(const sockaddr* sa);
  static Address ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port);
  // Parses "127.0.0.1" or "::1"; false on error.
  static bool parse(const std::string& ip, std::uint16_t port, Address& out);
  // Fills `storage`, returns its length.
  socklen_t toSockaddr(sockaddr_storage& storage) const;
  std::string ipString() const;
  std::string toString() const;

  bool operator==(const Address& other) const {
    return v6 == other.v6 && port == other.port && tcp == other.tcp && local == other.local && ip == other.ip;
  }
};

struct AddressHash {
  std::size_t operator()(const Address& a) const noexcept {
    std::uint64_t h = 1469598103934665603ull ^ a.port ^ (std::uint64_t(a.v6) << 17) ^ (std::uint64_t(a.tcp) << 18) ^
                      (std::uint64_t(a.local) << 19);
    for (std::uint8_t b : a.ip) h = (h ^ b) * 1099511628211ull;
    return static_cast<std::size_t>(h);
  }
};

}  // namespace parley::net
