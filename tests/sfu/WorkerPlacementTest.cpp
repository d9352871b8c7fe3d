// Where participants' media goes: a room stays on one worker until it outgrows it, then
// spills onto the least busy one; new rooms go to the least busy worker.
#include "sfu/WorkerPlacement.h"

#include <gtest/gtest.h>

namespace parley::sfu {

TEST(WorkerPlacement, NewRoomsGoToTheLeastBusyWorker) {
  WorkerPlacement placement(3, 2000);
  EXPECT_EQ(placement.join("a", "a1"), 0u);
  EXPECT_EQ(placement.join("b", "b1"), 1u);
  EXPECT_EQ(placement.join("c", "c1"), 2u);
  placement.setPublishedTracks("a", "a1", 2);  // worker 0 now forwards something
  EXPECT_EQ(placement.join("d", "d1"), 1u);    // 1 and 2 tie on streams; fewer participants wins
}

TEST(WorkerPlacement, ARoomStaysTogetherUntilItsWorkerIsFull) {
  WorkerPlacement placement(2, 10);
  EXPECT_EQ(placement.join("room", "pub"), 0u);
  placement.setPublishedTracks("room", "pub", 2);
  // Each newcomer will receive the room's 2 tracks: worker 0 takes 5 participants (10 streams).
  for (int i = 1; i < 5; ++i) EXPECT_EQ(placement.join("room", "sub" + std::to_string(i)), 0u) << i;
  EXPECT_EQ(placement.estimatedStreams(0), 10u);
  EXPECT_EQ(placement.join("room", "sub5"), 1u);
  EXPECT_EQ(placement.join("room", "sub6"), 1u);  // the room's next shard fills in turn
  EXPECT_EQ(placement.workersOf("room"), (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(placement.roomsSpanningWorkers(), 1u);
  EXPECT_EQ(placement.roomParticipantsOn("room", 1), 2u);
  EXPECT_EQ(placement.join("room", "sub5"), 1u);  // joining twice changes nothing
  EXPECT_EQ(placement.participantsOn(1), 2u);
}

TEST(WorkerPlacement, LeavingFreesTheWorkerAndTheRoom) {
  WorkerPlacement placement(2, 4);
  placement.join("room", "pub");
  placement.setPublishedTracks("room", "pub", 2);
  placement.join("room", "s1");
  EXPECT_EQ(placement.join("room", "s2"), 1u);
  EXPECT_EQ(placement.leave("room", "s2"), std::optional<unsigned>(1));
  EXPECT_EQ(placement.workersOf("room"), (std::vector<unsigned>{0}));
  EXPECT_EQ(placement.roomsSpanningWorkers(), 0u);
  EXPECT_EQ(placement.leave("room", "s2"), std::nullopt);
  EXPECT_EQ(placement.workerOf("room", "pub"), std::optional<unsigned>(0));
  placement.leave("room", "s1");
  placement.leave("room", "pub");
  EXPECT_TRUE(placement.workersOf("room").empty());
  EXPECT_EQ(placement.estimatedStreams(0), 0u);
  EXPECT_EQ(placement.participantsOn(0), 0u);
}

TEST(WorkerPlacement, ARoomThatStopsPublishingWeighsLess) {
  WorkerPlacement placement(2, 4);
  placement.join("room", "pub");
  placement.setPublishedTracks("room", "pub", 4);
  EXPECT_EQ(placement.join("room", "s1"), 1u);  // 4 + 4 > 4
  placement.setPublishedTracks("room", "pub", 0);
  EXPECT_EQ(placement.join("room", "s2"), 0u);
}

}  // namespace parley::sfu
