// The queue live transcription receives microphones through, from every worker of a room.
#include "common/MpscRing.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace parley {

TEST(MpscRing, KeepsOrderAndRefusesWhenFull) {
  MpscRing<int> ring(4);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(ring.tryPush([&](int& v) { v = i; }));
  bool called = false;
  EXPECT_FALSE(ring.tryPush([&](int&) { called = true; }));
  EXPECT_FALSE(called);
  for (int i = 0; i < 4; ++i) {
    int got = -1;
    EXPECT_TRUE(ring.tryPop([&](int& v) { got = v; }));
    EXPECT_EQ(got, i);
  }
  EXPECT_FALSE(ring.tryPop([](int&) {}));
  EXPECT_TRUE(ring.tryPush([](int& v) { v = 9; }));  // wraps around
}

TEST(MpscRing, SeveralProducersLoseNothingAndKeepEachOnesOrder) {
  struct Item {
    int producer = 0, index = 0;
  };
  MpscRing<Item> ring(64);
  constexpr int kProducers = 4, kEach = 50000;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&ring, p] {
      for (int i = 0; i < kEach;) {
        if (ring.tryPush([&](Item& item) { item = {p, i}; })) ++i;
        else std::this_thread::yield();
      }
    });
  }
  std::vector<int> next(kProducers, 0);
  int received = 0;
  while (received < kProducers * kEach) {
    if (!ring.tryPop([&](Item& item) {
          ASSERT_EQ(item.index, next[item.producer]) << "producer " << item.producer;
          next[item.producer]++;
        })) {
      std::this_thread::yield();
      continue;
    }
    ++received;
  }
  for (auto& t : producers) t.join();
  for (int p = 0; p < kProducers; ++p) EXPECT_EQ(next[p], kEach);
}

}  // namespace parley
