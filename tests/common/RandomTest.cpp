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

// Pearson's chi-square over the 26 letters of 10,000 codes (100,000 letters): a uniform
// generator stays under 52.62 (25 degrees of freedom, p = 0.001) but once in a thousand runs.
// The classic mistake, byte % 26, favours a..v over w..z and scores about 160 here.
TEST(Random, RoomIdLettersPassAChiSquareTest) {
  double counts[26] = {};
  int letters = 0;
  for (int i = 0; i < 10000; ++i) {
    for (char c : randomRoomId()) {
      if (c == '-') continue;
      counts[c - 'a']++;
      ++letters;
    }
  }
  const double expected = letters / 26.0;
  double chiSquare = 0;
  for (double count : counts) chiSquare += (count - expected) * (count - expected) / expected;
  EXPECT_LT(chiSquare, 52.62);
  // The same test on the biased generator fails, so this one can.
  double biased[26] = {};
  unsigned char byte = 0;
  for (int i = 0; i < letters; ++i) biased[static_cast<unsigned char>(byte += 97) % 26]++;
  double biasedChi = 0;
  for (double count : biased) biasedChi += (count - expected) * (count - expected) / expected;
  EXPECT_GT(biasedChi, 52.62);
}

TEST(Random, BelowIsUniformToo) {
  double counts[7] = {};
  constexpr int kDraws = 70000;
  for (int i = 0; i < kDraws; ++i) counts[secureRandomBelow(7)]++;
  double chiSquare = 0;
  for (double count : counts) chiSquare += (count - kDraws / 7.0) * (count - kDraws / 7.0) / (kDraws / 7.0);
  EXPECT_LT(chiSquare, 22.46);  // 6 degrees of freedom, p = 0.001
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
