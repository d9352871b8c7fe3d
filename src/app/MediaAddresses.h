#pragma once
// Where media listens and which host candidates it offers, from `--host`, `--public-ip` and
// the machine's interface addresses. A pure function, so every case is testable.
//
// - `--public-ip` given: per family, if every listed address is the machine's own, a socket
//   on each; otherwise (a NAT in front) one socket on the family's wildcard address offering
//   all of them.
// - Otherwise `--host` a wildcard: a socket on every interface address of its family ("::"
//   also takes IPv4, as the HTTP socket does), IPv6 first (RFC 8421), leaving out loopback
//   and link-local addresses unless there is nothing else.
// - Otherwise: `--host` itself.
#include <string>
#include <vector>

#include "net/LocalAddresses.h"
#include "sfu/MediaTypes.h"

namespace parley::app {

// More addresses than this make every offer long and every browser check them all.
inline constexpr std::size_t kMaxMediaAddresses = 8;

struct MediaAddressPlan {
  std::vector<sfu::MediaAddress> addresses;
  std::vector<std::string> leftOut;  // interface addresses past kMaxMediaAddresses
};

MediaAddressPlan planMediaAddresses(const std::string& host, const std::vector<std::string>& publicIps,
                                    const std::vector<net::InterfaceAddress>& interfaces);

}  // namespace parley::app
