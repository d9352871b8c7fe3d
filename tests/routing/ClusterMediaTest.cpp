// Two nodes of a cluster in one process, on loopback: a room homed on node A whose second
// participant's media goes to node B past --node-streams. B is driven through its
// MediaAgent; the room's shards learn of each other and cascade (announcements as SRTCP
// between the nodes' workers), so the participant on B is offered the track published on
// A, and B's answers and offers come back to A as A's own media events. A channel with the
// wrong key is refused, and a node that leaves the cluster's view takes its participants'
// media with it.
#include "routing/ClusterMedia.h"

#include <gtest/gtest.h>

#include "cascade/CascadeLink.h"
#include "routing/MediaAgent.h"
#include "sfu/MediaTestSupport.h"

namespace parley::routing {

namespace {

using sfu::MediaEvent;

sfu::RemoteLinksFactory cascadeOf(const std::string& nodeId) {
  return [nodeId](boost::asio::io_context& io, unsigned worker, sfu::RemoteLinkHandler& handler) {
    return std::make_unique<cascade::CascadeLink>(io, cascade::CascadeEndpoint{nodeId, "127.0.0.1"}, worker, handler);
  };
}

sfu::MediaConfig oneWorker(std::uint16_t port) {
  sfu::MediaConfig config;
  config.portMin = port;
  config.portMax = static_cast<std::uint16_t>(port + 3);
  config.workers = 1;
  return config;
}

// Node A (the rooms' home, with ClusterMedia) and node B (a MediaAgent), on one control loop.
struct TwoNodes {
  explicit TwoNodes(std::string keyAtB = "cluster key") {
    const std::uint16_t lo = sfu::freeRangeStart();
    a = std::make_unique<sfu::MediaService>(
        oneWorker(lo), control.io, [this](const MediaEvent& e) { control.events.push_back(e); }, cascadeOf("node-a"));
    b = std::make_unique<sfu::MediaService>(
        oneWorker(static_cast<std::uint16_t>(lo + 4)), control.io,
        [this](const MediaEvent& e) {
          if (agent && agent->serves(e.roomId)) agent->onMediaEvent(e);
        },
        cascadeOf("node-b"));
    agent = std::make_unique<MediaAgent>(control.io, "127.0.0.1", *b, [keyAtB] { return keyAtB; });
    cluster = std::make_unique<ClusterMedia>(control.io, *a, ClusterMediaConfig{"node-a", "127.0.0.1", 2, [] { return std::string("cluster key"); }, {}},
                                             [this](const MediaEvent& e) { control.events.push_back(e); });
    a->setShardsListener([this](const std::string& room) { cluster->onLocalShardsChanged(room); });
    b->setShardsListener([this](const std::string& room) {
      if (agent->serves(room)) agent->onShardsChanged(room);
    });
    cluster->setView({nodeB()});
  }
  cluster::NodeRecord nodeB() const {
    cluster::NodeRecord record;
    record.id = "node-b";
    record.address = "127.0.0.1";
    record.mediaPort = agent->port();
    return record;
  }
  std::vector<MediaEvent> of(MediaEvent::Type type, const std::string& who) const {
    std::vector<MediaEvent> out;
    for (const auto& e : control.events)
      if (e.type == type && e.participantId == who) out.push_back(e);
    return out;
  }
  sfu::Control control;
  std::unique_ptr<sfu::MediaService> a, b;
  std::unique_ptr<MediaAgent> agent;
  std::unique_ptr<ClusterMedia> cluster;
};

}  // namespace

TEST(ClusterMedia, AParticipantPastTheHomesStreamsHasMediaOnAnotherNodeAndReceivesTheRoomsTracks) {
  TwoNodes nodes;
  auto& cluster = *nodes.cluster;
  cluster.join("room", "ana");
  cluster.publish("room", "ana", sfu::microphoneOffer(), {{"0", sfu::TrackSource::Microphone}});
  ASSERT_TRUE(nodes.control.awaitUntil([&] { return !nodes.of(MediaEvent::Type::PublisherAnswer, "ana").empty(); }));
  const std::string portA = std::to_string(nodes.a->ports()[0]), portB = std::to_string(nodes.b->ports()[0]);
  EXPECT_NE(nodes.of(MediaEvent::Type::PublisherAnswer, "ana")[0].sdp.find(" " + portA + " typ host"), std::string::npos);

  // Past 2 streams on A: Bruno's media goes to B. He is offered Ana's microphone there, which
  // reached B's worker through the cascade's announcement, and B's offer comes back here.
  cluster.join("room", "bruno");
  ASSERT_TRUE(nodes.control.awaitUntil([&] { return !nodes.of(MediaEvent::Type::SubscriberOffer, "bruno").empty(); }))
      << "no offer for Bruno came back from node B";
  const auto offer = nodes.of(MediaEvent::Type::SubscriberOffer, "bruno").back();
  ASSERT_EQ(offer.tracks.size(), 1u);
  EXPECT_EQ(offer.tracks[0].participantId, "ana");
  EXPECT_EQ(offer.tracks[0].source, sfu::TrackSource::Microphone);
  EXPECT_NE(offer.sdp.find(" " + portB + " typ host"), std::string::npos) << "Bruno's media is on B: " << offer.sdp;
  EXPECT_NE(cluster.renderMetrics().find("parley_cascade_rooms_spanning_nodes 1"), std::string::npos);

  // Bruno publishes on B: his answer comes from B, and Ana (on A) is offered his microphone.
  cluster.publish("room", "bruno", sfu::microphoneOffer(), {{"0", sfu::TrackSource::Microphone}});
  ASSERT_TRUE(nodes.control.awaitUntil([&] {
    const auto offers = nodes.of(MediaEvent::Type::SubscriberOffer, "ana");
    return !nodes.of(MediaEvent::Type::PublisherAnswer, "bruno").empty() && !offers.empty() &&
           offers.back().tracks.size() == 1 && offers.back().tracks[0].participantId == "bruno";
  })) << "Ana was not offered Bruno's microphone from node B";
  EXPECT_NE(nodes.of(MediaEvent::Type::PublisherAnswer, "bruno")[0].sdp.find(" " + portB + " typ host"), std::string::npos);

  // Bruno leaves: B serves the room no more.
  cluster.leave("room", "bruno");
  ASSERT_TRUE(nodes.control.awaitUntil([&] { return !nodes.agent->serves("room"); }));
  EXPECT_NE(cluster.renderMetrics().find("parley_cascade_rooms_spanning_nodes 0"), std::string::npos);
  cluster.leave("room", "ana");
}

TEST(ClusterMedia, AChannelWithTheWrongKeyIsRefusedAndItsParticipantsLoseTheirMedia) {
  TwoNodes nodes("another key");
  nodes.cluster->join("room", "ana");
  nodes.cluster->publish("room", "ana", sfu::microphoneOffer(), {{"0", sfu::TrackSource::Microphone}});
  nodes.cluster->join("room", "bruno");  // to B, which refuses the home's channel
  ASSERT_TRUE(nodes.control.awaitUntil([&] { return !nodes.of(MediaEvent::Type::TransportClosed, "bruno").empty(); }));
  EXPECT_FALSE(nodes.agent->serves("room"));
  EXPECT_NE(nodes.agent->renderMetrics().find("parley_cascade_channels_refused_total 1"), std::string::npos);
  EXPECT_TRUE(nodes.of(MediaEvent::Type::TransportClosed, "ana").empty());
}

TEST(ClusterMedia, ANodeThatLeavesTheViewTakesItsParticipantsMediaWithIt) {
  TwoNodes nodes;
  nodes.cluster->join("room", "ana");
  nodes.cluster->publish("room", "ana", sfu::microphoneOffer(), {{"0", sfu::TrackSource::Microphone}});
  nodes.cluster->join("room", "bruno");
  ASSERT_TRUE(nodes.control.awaitUntil([&] { return nodes.agent->serves("room"); }));
  nodes.cluster->setView({});  // B missed its heartbeats
  ASSERT_TRUE(nodes.control.awaitUntil([&] { return !nodes.of(MediaEvent::Type::TransportClosed, "bruno").empty(); }));
  // And B, whose channel closed, let Bruno's media go.
  ASSERT_TRUE(nodes.control.awaitUntil([&] { return !nodes.agent->serves("room"); }));
  EXPECT_NE(nodes.cluster->renderMetrics().find("parley_cascade_lost_participants_total 1"), std::string::npos);
}

TEST(ClusterMedia, StrangersOnTheNodesNetworkCannotHoldTheAgentsConnections) {
  TwoNodes nodes;
  using boost::asio::ip::tcp;
  const tcp::endpoint agent(boost::asio::ip::make_address("127.0.0.1"), nodes.agent->port());
  std::vector<std::unique_ptr<tcp::socket>> strangers;
  for (std::size_t i = 0; i <= MediaAgent::kMaxUnauthenticated; ++i) {
    strangers.push_back(std::make_unique<tcp::socket>(nodes.control.io));
    strangers.back()->connect(agent);
  }
  // The one past the bound is closed at once; the others wait for their hello (5 s).
  const auto refused = [&] {
    return nodes.agent->renderMetrics().find("parley_cascade_channels_refused_total 1") != std::string::npos;
  };
  ASSERT_TRUE(nodes.control.awaitUntil(refused));
  std::array<char, 1> byte{};
  boost::system::error_code ec;
  strangers.back()->read_some(boost::asio::buffer(byte), ec);
  EXPECT_EQ(ec, boost::asio::error::eof);
}

}  // namespace parley::routing
