// Which node a participant's media goes to: the home first, the hosting nodes while they
// take one more within --node-streams, then the least busy live node not hosting the room.
#include "routing/NodePlacement.h"

#include <gtest/gtest.h>

namespace parley::routing {

namespace {
const std::vector<NodeCapacity> kThreeIdle = {{"a", 0}, {"b", 0}, {"c", 0}};
}

TEST(NodePlacement, WithoutALimitEveryRoomStaysOnItsHome) {
  NodePlacement placement(0);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(placement.join("r", "p" + std::to_string(i), "b", kThreeIdle), "b");
  EXPECT_EQ(placement.nodesOf("r"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(placement.roomsSpanningNodes(), 0u);
}

TEST(NodePlacement, ARoomSpillsOntoTheLeastBusyNodePastItsStreams) {
  NodePlacement placement(12);
  // Each newcomer counts as a microphone and a camera until it publishes.
  EXPECT_EQ(placement.join("r", "ana", "a", {{"a", 0}, {"b", 50}, {"c", 10}}), "a");
  placement.setPublishedTracks("r", "ana", 2);
  EXPECT_EQ(placement.join("r", "bruno", "a", {{"a", 0}, {"b", 50}, {"c", 10}}), "a") << "2 x (2 + 2) = 8 <= 12";
  placement.setPublishedTracks("r", "bruno", 2);
  // On a: 3 x (4 + 2) = 18 > 12; c is lighter than b.
  EXPECT_EQ(placement.join("r", "carla", "a", {{"a", 0}, {"b", 50}, {"c", 10}}), "c");
  EXPECT_EQ(placement.nodesOf("r"), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(placement.roomsSpanningNodes(), 1u);
  EXPECT_EQ(placement.nodeOf("r", "carla"), "c");
  EXPECT_EQ(placement.join("r", "carla", "a", kThreeIdle), "c") << "placed once";
  EXPECT_EQ(placement.estimatedStreams("r", "a"), 8u);
  // Leaving frees the node; the room is gone with its last participant.
  EXPECT_EQ(placement.leave("r", "carla"), "c");
  EXPECT_EQ(placement.nodesOf("r"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(placement.leave("r", "carla"), std::nullopt);
  placement.leave("r", "ana");
  placement.leave("r", "bruno");
  EXPECT_TRUE(placement.nodesOf("r").empty());
}

TEST(NodePlacement, AFullClusterStillPlacesEveryoneOnTheLeastBusyHost) {
  NodePlacement placement(4);
  const std::vector<NodeCapacity> two = {{"a", 0}, {"b", 0}};
  EXPECT_EQ(placement.join("r", "p1", "a", two), "a");
  placement.setPublishedTracks("r", "p1", 2);
  EXPECT_EQ(placement.join("r", "p2", "a", two), "b");
  const std::string third = placement.join("r", "p3", "a", two);
  EXPECT_TRUE(third == "a" || third == "b");
  // The nodes hosting someone of a room, and who is on a node that is lost.
  EXPECT_EQ(placement.placedOn("b").size(), third == "b" ? 2u : 1u);
}

TEST(NodePlacement, ANodeGoneFromTheViewTakesNoNewcomer) {
  NodePlacement placement(4);
  EXPECT_EQ(placement.join("r", "p1", "a", {{"a", 0}, {"b", 0}}), "a");
  placement.setPublishedTracks("r", "p1", 2);
  EXPECT_EQ(placement.join("r", "p2", "a", {{"a", 0}, {"b", 0}}), "b");
  // b left the cluster's view: p3 goes to c, not to b.
  EXPECT_EQ(placement.join("r", "p3", "a", {{"a", 0}, {"c", 0}}), "c");
}

}  // namespace parley::routing
