// Where media listens and what it offers, from --host, --public-ip and the machine's
// interface addresses.
#include "app/MediaAddresses.h"

#include <gtest/gtest.h>

namespace parley::app {

namespace {

std::vector<net::InterfaceAddress> machine(std::vector<std::string> ips) {
  std::vector<net::InterfaceAddress> out;
  for (const auto& ip : ips) {
    net::InterfaceAddress a;
    EXPECT_TRUE(net::describeAddress(ip, a)) << ip;
    out.push_back(a);
  }
  return out;
}

// "bind>announced,announced" for each address, to compare plans at a glance.
std::vector<std::string> summary(const MediaAddressPlan& plan) {
  std::vector<std::string> out;
  for (const auto& a : plan.addresses) {
    std::string line = a.bindIp;
    for (std::size_t i = 0; i < a.announcedIps.size(); ++i) line += (i ? "," : ">") + a.announcedIps[i];
    out.push_back(line);
  }
  return out;
}

using Lines = std::vector<std::string>;

const auto kLaptop = machine({"127.0.0.1", "::1", "10.1.2.3", "fe80::1c2d:3eff:fe4f:5a6b", "169.254.7.7",
                              "2001:db8:1::3", "192.168.5.9", "fd12:3456::9"});

}  // namespace

TEST(MediaAddresses, AHostAddressIsWhereMediaListensAndWhatItOffers) {
  EXPECT_EQ(summary(planMediaAddresses("127.0.0.1", {}, kLaptop)), Lines{"127.0.0.1"});
  EXPECT_EQ(summary(planMediaAddresses("10.1.2.3", {}, kLaptop)), Lines{"10.1.2.3"});
  EXPECT_EQ(summary(planMediaAddresses("::1", {}, kLaptop)), Lines{"::1"});
}

TEST(MediaAddresses, AnIpv4WildcardTakesEveryRoutableIpv4Address) {
  EXPECT_EQ(summary(planMediaAddresses("0.0.0.0", {}, kLaptop)), (Lines{"10.1.2.3", "192.168.5.9"}));
}

TEST(MediaAddresses, AnIpv6WildcardTakesEveryRoutableAddressIpv6First) {
  EXPECT_EQ(summary(planMediaAddresses("::", {}, kLaptop)),
            (Lines{"2001:db8:1::3", "fd12:3456::9", "10.1.2.3", "192.168.5.9"}));
}

TEST(MediaAddresses, AMachineWithOnlyLoopbackServesLoopback) {
  EXPECT_EQ(summary(planMediaAddresses("::", {}, machine({"127.0.0.1", "::1"}))), Lines{"127.0.0.1"});
  EXPECT_EQ(summary(planMediaAddresses("0.0.0.0", {}, {})), Lines{"127.0.0.1"});
}

TEST(MediaAddresses, TooManyInterfaceAddressesAreCutAndSaidSo) {
  std::vector<std::string> ips;
  for (int i = 1; i <= 11; ++i) ips.push_back("10.0.0." + std::to_string(i));
  const auto plan = planMediaAddresses("0.0.0.0", {}, machine(ips));
  EXPECT_EQ(plan.addresses.size(), kMaxMediaAddresses);
  EXPECT_EQ(plan.leftOut, (Lines{"10.0.0.9", "10.0.0.10", "10.0.0.11"}));
}

TEST(MediaAddresses, PublicIpsOfTheMachineEachGetASocket) {
  EXPECT_EQ(summary(planMediaAddresses("0.0.0.0", {"192.168.5.9", "2001:db8:1::3", "10.1.2.3"}, kLaptop)),
            (Lines{"192.168.5.9", "10.1.2.3", "2001:db8:1::3"}));
}

TEST(MediaAddresses, PublicIpsBehindANatAreOfferedFromTheWildcardOfTheirFamily) {
  EXPECT_EQ(summary(planMediaAddresses("127.0.0.1", {"203.0.113.5"}, kLaptop)), Lines{"0.0.0.0>203.0.113.5"});
  // One of them not the machine's: the NAT's address and the inside one share the wildcard.
  EXPECT_EQ(summary(planMediaAddresses("0.0.0.0", {"203.0.113.5", "10.1.2.3", "2001:db8:1::3"}, kLaptop)),
            (Lines{"0.0.0.0>203.0.113.5,10.1.2.3", "2001:db8:1::3"}));
  EXPECT_EQ(summary(planMediaAddresses("::", {"2001:db8:9::1", "198.51.100.1"}, kLaptop)),
            (Lines{"::>2001:db8:9::1", "0.0.0.0>198.51.100.1"}));
}

}  // namespace parley::app
