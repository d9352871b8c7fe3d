#pragma once
// The machine's own IP addresses, read from its network interfaces: what media can bind and
// offer as host candidates when the server listens on every address.
#include <string>
#include <vector>

namespace parley::net {

struct InterfaceAddress {
  std::string ip;  // "192.0.2.7", "2001:db8::7"
  bool v6 = false;
  bool loopback = false;   // 127.0.0.0/8, ::1
  bool linkLocal = false;  // 169.254.0.0/16, fe80::/10: valid on one link only
};

// The addresses of the interfaces that are up, in the kernel's order; empty if it cannot
// tell.
std::vector<InterfaceAddress> interfaceAddresses();

// Classifies one address ("::ffff:..." and the like included); false if it is not an IP.
bool describeAddress(const std::string& ip, InterfaceAddress& out);

}  // namespace parley::net
