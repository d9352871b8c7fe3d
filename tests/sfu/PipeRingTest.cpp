// Packets piped between the workers of a room that spans them: order, bounds, and the
// wake-up hand-shake that keeps the sender from a system call per packet.
#include "sfu/PipeRing.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace parley::sfu {

TEST(PipeRing, CopiesPacketsInOrderAndRefusesWhenFullOrTooLarge) {
  PipeRing ring(4);
  std::uint8_t packet[3] = {1, 2, 3};
  for (std::uint32_t i = 0; i < 4; ++i) {
    packet[0] = static_cast<std::uint8_t>(i);
    EXPECT_TRUE(ring.push(100 + i, packet, sizeof packet));
  }
  EXPECT_FALSE(ring.push(200, packet, sizeof packet));
  std::vector<std::uint8_t> huge(PipedPacket::kMaxBytes + 1);
  for (std::uint32_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(ring.pop([&](PipedPacket& p) {
      EXPECT_EQ(p.pipeId, 100 + i);
      EXPECT_EQ(p.length, 3);
      EXPECT_EQ(p.data[0], i);
      EXPECT_EQ(p.data[2], 3);
    }));
  }
  EXPECT_FALSE(ring.pop([](PipedPacket&) {}));
  EXPECT_FALSE(ring.push(1, huge.data(), huge.size()));
}

TEST(PipeRing, WakesTheReceiverOnceUntilItHasLooked) {
  PipeRing ring(8);
  EXPECT_TRUE(ring.markWakePending());   // first packet: wake it
  EXPECT_FALSE(ring.markWakePending());  // it has not looked yet: no second wake-up
  ring.clearWakePending();               // it looks
  EXPECT_TRUE(ring.markWakePending());
}

// Across two threads with the hand-shake as the workers use it: no packet is lost or
// reordered, and the receiver never sleeps while a packet waits. A lost wake-up (the
// receiver asleep with packets in the ring and nobody to wake it) fails the test within
// seconds instead of hanging it.
TEST(PipeRing, TwoThreadsWithTheWakeUpHandShake) {
  PipeRing ring(64);
  constexpr std::uint32_t kPackets = 200000;
  std::atomic<int> wakeups{0};
  std::atomic<std::uint32_t> received{0};
  std::atomic<bool> lostWakeUp{false}, outOfOrder{false}, stop{false};
  std::thread receiver([&] {
    while (received.load() < kPackets && !stop.load()) {
      // Sleep until woken, as a worker waits on its eventfd; never longer than 5 s.
      const auto asleep = std::chrono::steady_clock::now();
      while (wakeups.load(std::memory_order_acquire) == 0) {
        if (std::chrono::steady_clock::now() - asleep > std::chrono::seconds(5)) {
          if (ring.pop([](PipedPacket&) {})) lostWakeUp = true;  // a packet waited, unannounced
          stop = true;
          return;
        }
        std::this_thread::yield();
      }
      wakeups.fetch_sub(1, std::memory_order_acq_rel);
      ring.clearWakePending();
      while (ring.pop([&](PipedPacket& p) {
        if (p.pipeId != received.load()) outOfOrder = true;
      })) {
        received.fetch_add(1);
      }
    }
  });
  std::uint8_t payload[100] = {};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (std::uint32_t i = 0; i < kPackets && !stop.load() && std::chrono::steady_clock::now() < deadline;) {
    if (!ring.push(i, payload, sizeof payload)) {
      std::this_thread::yield();
      continue;
    }
    ++i;
    if (ring.markWakePending()) wakeups.fetch_add(1, std::memory_order_acq_rel);
  }
  stop = received.load() >= kPackets || stop.load();
  receiver.join();
  EXPECT_FALSE(lostWakeUp) << "the receiver slept while a packet waited";
  EXPECT_FALSE(outOfOrder);
  EXPECT_EQ(received.load(), kPackets);
}

}  // namespace parley::sfu
