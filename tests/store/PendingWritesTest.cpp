// Writes kept through database errors: tried at once, kept in order when refused, retried,
// bounded.
#include "store/PendingWrites.h"

#include <gtest/gtest.h>

#include <vector>

#include "store/Database.h"

namespace parley::store {

TEST(PendingWrites, KeepsRefusedWritesInOrderAndRetriesThem) {
  PendingWrites writes;
  bool locked = false;
  std::vector<int> done;
  const auto write = [&](int n) {
    return [&, n] {
      if (locked) throw StoreError("step: database is locked");
      done.push_back(n);
    };
  };
  EXPECT_TRUE(writes.run("test", write(1)));
  locked = true;
  EXPECT_FALSE(writes.run("test", write(2)));
  EXPECT_FALSE(writes.run("test", write(3)));
  EXPECT_EQ(writes.pending(), 2u);
  EXPECT_EQ(writes.retry(), 2u) << "still locked: nothing is lost, nothing done";
  locked = false;
  // A new write waits behind the kept ones, so the history keeps its order.
  EXPECT_FALSE(writes.run("test", write(4)));
  EXPECT_EQ(writes.retry(), 0u);
  EXPECT_EQ(done, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(writes.counters().errors, 2u) << "a write queued behind others is not tried, so not counted";
  EXPECT_EQ(writes.counters().writesDropped, 0u);
}

TEST(PendingWrites, GivesUpTheOldestPastItsCapacity) {
  PendingWrites writes(2);
  bool locked = true;
  std::vector<int> done;
  for (int n = 1; n <= 4; ++n) {
    writes.run("test", [&, n] {
      if (locked) throw StoreError("disk full");
      done.push_back(n);
    });
  }
  EXPECT_EQ(writes.pending(), 2u);
  EXPECT_EQ(writes.counters().writesDropped, 2u);
  locked = false;
  writes.retry();
  EXPECT_EQ(done, (std::vector<int>{3, 4}));
}

}  // namespace parley::store
