#include "common/Random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace parley {

TEST(Random, RoomIdHasMeetingCodeShape) {
  const std::regex shape("^[a-z]{3}-[a-z]{4}-[a-z]{3}$");
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(std::regex_match(randomRoomId(), shape));
}

TEST(Random, RoomIdsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(randomRoomId()).second);
}

TEST(Random, RoomIdLettersAreRoughlyUniform) {
  int counts[26] = {};
  for (int i = 0; i < 5000; ++i) {
    for (char c : randomRoomId()) {
      if (c != '-') counts[c - 'a']++;
    }
  }
  // 50,000 letters, about 1,923 each; a biased generator would leave some far off.
  for (int count : counts) {
    EXPECT_GT(count, 1600);
    EXPECT_LT(count, 2250);
  }
}

TEST(Random, TokenIsUrlSafeAndSizedFromBytes) {
  const std::string token = randomToken(32);
  EXPECT_EQ(token.size(), 43u);  // ceil(256 / 6)
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_NE(randomToken(32), token);
}

TEST(Random, BelowStaysInBounds) {
  for (int i = 0; i < 1000; ++i) EXPECT_LT(secureRandomBelow(3), 3u);
}

}  // namespace parley
