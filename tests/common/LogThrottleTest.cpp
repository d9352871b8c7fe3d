#include "common/LogThrottle.h"

#include <gtest/gtest.h>

namespace parley {

TEST(LogThrottle, LetsOneLineAMinuteThroughAndCountsTheOthers) {
  using namespace std::chrono_literals;
  LogThrottle throttle(1min);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(throttle.pass(start), 0u) << "the first line goes out";
  EXPECT_FALSE(throttle.pass(start + 1s));
  EXPECT_FALSE(throttle.pass(start + 59s));
  EXPECT_EQ(throttle.pass(start + 60s), 2u) << "the next one tells of the two held back";
  EXPECT_FALSE(throttle.pass(start + 61s));
  EXPECT_EQ(throttle.pass(start + 10min), 1u);
  EXPECT_EQ(throttle.pass(start + 20min), 0u);
}

}  // namespace parley
