// The machine's interface addresses and what kind each is.
#include "net/LocalAddresses.h"

#include <gtest/gtest.h>

namespace parley::net {

TEST(LocalAddresses, TellsLoopbackAndLinkLocalApart) {
  InterfaceAddress a;
  ASSERT_TRUE(describeAddress("fe80::1", a));
  EXPECT_TRUE(a.v6 && a.linkLocal && !a.loopback);
  ASSERT_TRUE(describeAddress("::1", a));
  EXPECT_TRUE(a.v6 && a.loopback && !a.linkLocal);
  ASSERT_TRUE(describeAddress("127.8.0.1", a));
  EXPECT_TRUE(!a.v6 && a.loopback);
  ASSERT_TRUE(describeAddress("169.254.1.1", a));
  EXPECT_TRUE(a.linkLocal);
  ASSERT_TRUE(describeAddress("febf::1", a));
  EXPECT_TRUE(a.linkLocal);
  ASSERT_TRUE(describeAddress("fec0::1", a));
  EXPECT_FALSE(a.linkLocal);
  EXPECT_FALSE(describeAddress("not-an-ip", a));
}

TEST(LocalAddresses, TheMachineHasItsLoopbackAddress) {
  bool loopback = false;
  for (const auto& a : interfaceAddresses()) loopback = loopback || a.ip == "127.0.0.1";
  EXPECT_TRUE(loopback);
}

}  // namespace parley::net
