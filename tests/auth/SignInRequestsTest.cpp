// Sign-ins under way: single use, expiry, the bound, PKCE's S256, and return paths that
// cannot lead off the site.
#include "auth/SignInRequests.h"

#include <gtest/gtest.h>

#include <set>

namespace parley::auth {

TEST(SignInRequests, EachIsRandomAndTakenOnce) {
  SignInRequests requests;
  const auto first = requests.begin("/r/abc-defg-hij", 1000);
  const auto second = requests.begin("/", 1000);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->state, second->state);
  EXPECT_NE(first->nonce, second->nonce);
  EXPECT_NE(first->state, first->nonce);
  EXPECT_GE(first->verifier.size(), 43u);
  EXPECT_LE(first->verifier.size(), 128u);
  const auto taken = requests.take(first->state, 2000);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->nonce, first->nonce);
  EXPECT_EQ(taken->returnTo, "/r/abc-defg-hij");
  EXPECT_FALSE(requests.take(first->state, 2000)) << "a replayed callback finds nothing";
  EXPECT_FALSE(requests.take("made-up-state", 2000));
  EXPECT_EQ(requests.size(), 1u);
}

TEST(SignInRequests, ExpireAfterTenMinutes) {
  SignInRequests requests;
  const auto request = requests.begin("/", 0);
  const auto late = requests.begin("/", 0);
  EXPECT_TRUE(requests.take(request->state, SignInRequests::kLifetimeMillis));
  EXPECT_FALSE(requests.take(late->state, SignInRequests::kLifetimeMillis + 1));
}

TEST(SignInRequests, AreBoundedAndMakeRoomByDroppingExpiredOnes) {
  SignInRequests requests;
  for (std::size_t i = 0; i < SignInRequests::kMaxPending; ++i) ASSERT_TRUE(requests.begin("/", 0));
  EXPECT_FALSE(requests.begin("/", 1000)) << "full while none has expired";
  EXPECT_EQ(requests.size(), SignInRequests::kMaxPending);
  EXPECT_TRUE(requests.begin("/", SignInRequests::kLifetimeMillis + 1));
  EXPECT_EQ(requests.size(), 1u);
}

TEST(Pkce, S256IsRfc7636sExample) {
  // RFC 7636 appendix B.
  EXPECT_EQ(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(SafeReturnPath, KeepsOurPathsAndNothingElse) {
  EXPECT_EQ(safeReturnPath("/r/abc-defg-hij"), "/r/abc-defg-hij");
  EXPECT_EQ(safeReturnPath("/r/abc-defg-hij?name=Ana"), "/r/abc-defg-hij?name=Ana");
  for (const char* elsewhere : {"", "https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil",
                                "javascript:alert(1)", "/r/a b", "/r/\x01", "r/abc"}) {
    EXPECT_EQ(safeReturnPath(elsewhere), "/") << elsewhere;
  }
  EXPECT_EQ(safeReturnPath("/" + std::string(600, 'a')), "/");
}

}  // namespace parley::auth
