#include "signaling/IceServers.h"

#include <gtest/gtest.h>

namespace parley::signaling {
namespace {

TEST(IceServers, CredentialIsCoturnsRestSchemeWithTheExpiryAhead) {
  IceServerSettings settings{{"turn:turn.example.fr:3478"}, "north-wind-and-sun-42", std::chrono::seconds(3600)};
  const auto credential = turnCredential(settings, "p1", 1700039600);
  EXPECT_EQ(credential.username, "1700043200:p1");
  // echo -n "1700043200:p1" | openssl dgst -sha1 -hmac north-wind-and-sun-42 -binary | base64
  EXPECT_EQ(credential.password, "pjJ8dV/DcTZQ9yEBzL5WNohBnD0=");
}

TEST(IceServers, CredentialsDifferByParticipantAndSecret) {
  IceServerSettings settings{{"turn:h"}, "north-wind-and-sun-42", std::chrono::seconds(60)};
  const auto a = turnCredential(settings, "a", 100);
  const auto b = turnCredential(settings, "b", 100);
  EXPECT_NE(a.password, b.password);
  settings.turnSecret = "another-secret-entirely";
  EXPECT_NE(turnCredential(settings, "a", 100).password, a.password);
}

TEST(IceServers, AcceptsTheUrlsOfRfc7065) {
  for (const char* url : {"turn:turn.example.fr", "turn:10.0.0.1:3478?transport=udp", "turns:turn.example.fr:443?transport=tcp",
                          "turn:[2001:db8::1]:3478", "turn:[2001:db8::1]"}) {
    EXPECT_FALSE(turnUrlError(url)) << url;
  }
}

TEST(IceServers, RefusesOtherUrlsSayingWhy) {
  for (const char* url : {"stun:x", "http://turn.example.fr", "turn:", "turn:host:0", "turn:host:99999", "turn:host:port",
                          "turn:host?transport=sctp", "turn:host?foo=bar", "turn:ho st", "turn:[::1", "turn:a/b"}) {
    const auto why = turnUrlError(url);
    ASSERT_TRUE(why) << url;
    EXPECT_FALSE(why->empty());
  }
}

}  // namespace
}  // namespace parley::signaling
