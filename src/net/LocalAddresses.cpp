#include "net/LocalAddresses.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include "net/Address.h"

namespace parley::net {

namespace {

InterfaceAddress describe(const Address& address) {
  InterfaceAddress out;
  out.ip = address.ipString();
  out.v6 = address.v6;
  const auto& b = address.ip;
  if (address.v6) {
    bool loopback = b[15] == 1;
    for (int i = 0; i < 15; ++i) loopback = loopback && b[i] == 0;
    out.loopback = loopback;
    out.linkLocal = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
  } else {
    out.loopback = b[0] == 127;
    out.linkLocal = b[0] == 169 && b[1] == 254;
  }
  return out;
}

}  // namespace

bool describeAddress(const std::string& ip, InterfaceAddress& out) {
  Address address;
  if (!Address::parse(ip, 0, address)) return false;
  out = describe(address);
  return true;
}

std::vector<InterfaceAddress> interfaceAddresses() {
  std::vector<InterfaceAddress> found;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return found;
  for (const ifaddrs* entry = list; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr || !(entry->ifa_flags & IFF_UP)) continue;
    const int family = entry->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    found.push_back(describe(Address::fromSockaddr(entry->ifa_addr)));
  }
  ::freeifaddrs(list);
  return found;
}

}  // namespace parley::net
