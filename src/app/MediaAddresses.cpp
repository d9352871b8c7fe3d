#include "app/MediaAddresses.h"

#include <algorithm>

namespace parley::app {

namespace {

bool isWildcard(const std::string& ip, bool& v6) {
  net::InterfaceAddress address;
  if (!net::describeAddress(ip, address)) return false;
  v6 = address.v6;
  return address.ip == (address.v6 ? "::" : "0.0.0.0");
}

bool isOwn(const std::string& ip, const std::vector<net::InterfaceAddress>& interfaces) {
  net::InterfaceAddress address;
  if (!net::describeAddress(ip, address)) return false;
  return std::any_of(interfaces.begin(), interfaces.end(), [&](const auto& i) { return i.ip == address.ip; });
}

void addFamily(MediaAddressPlan& plan, const std::vector<std::string>& publicIps, bool v6,
               const std::vector<net::InterfaceAddress>& interfaces) {
  std::vector<std::string> listed;
  for (const auto& ip : publicIps) {
    net::InterfaceAddress address;
    if (net::describeAddress(ip, address) && address.v6 == v6) listed.push_back(address.ip);
  }
  if (listed.empty()) return;
  const bool allOwn = std::all_of(listed.begin(), listed.end(), [&](const auto& ip) { return isOwn(ip, interfaces); });
  if (allOwn) {
    for (const auto& ip : listed) plan.addresses.push_back({ip, {}});
  } else {
    plan.addresses.push_back({v6 ? "::" : "0.0.0.0", listed});
  }
}

}  // namespace

MediaAddressPlan planMediaAddresses(const std::string& host, const std::vector<std::string>& publicIps,
                                    const std::vector<net::InterfaceAddress>& interfaces) {
  MediaAddressPlan plan;
  if (!publicIps.empty()) {
    // The family listed first comes first.
    net::InterfaceAddress first;
    const bool v6First = net::describeAddress(publicIps.front(), first) && first.v6;
    addFamily(plan, publicIps, v6First, interfaces);
    addFamily(plan, publicIps, !v6First, interfaces);
    return plan;
  }
  bool v6Host = false;
  if (!isWildcard(host, v6Host)) {
    plan.addresses.push_back({host, {}});
    return plan;
  }
  std::vector<std::string> usable;
  for (const bool v6 : {true, false}) {
    if (v6 && !v6Host) continue;
    for (const auto& address : interfaces) {
      if (address.v6 != v6 || address.loopback || address.linkLocal) continue;
      if (std::find(usable.begin(), usable.end(), address.ip) == usable.end()) usable.push_back(address.ip);
    }
  }
  if (usable.empty()) usable.push_back("127.0.0.1");
  for (std::size_t i = 0; i < usable.size(); ++i) {
    if (i < kMaxMediaAddresses) plan.addresses.push_back({usable[i], {}});
    else plan.leftOut.push_back(usable[i]);
  }
  return plan;
}

}  // namespace parley::app
