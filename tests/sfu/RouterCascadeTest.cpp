// A room's shard and its peers on other nodes (the cascade), as the Router sees them: local
// tracks announced to remote shards and announced again while they live, copies from other
// nodes forwarded to subscribers here, tapped by the shard that reports the speaker, and
// dropped when their announcements stop.
#include "sfu/RouterFixture.h"

namespace parley::sfu {

namespace {

// ShardLinks that keep what the router asks of them.
struct RecordingLinks : ShardLinks {
  std::vector<std::pair<unsigned, RemoteProducerInfo>> announced;
  std::vector<std::pair<unsigned, std::uint32_t>> withdrawn, piped;
  bool pipeRtp(unsigned worker, std::uint32_t pipeId, const std::uint8_t*, std::size_t) override {
    piped.emplace_back(worker, pipeId);
    return true;
  }
  void announceProducer(unsigned worker, const std::string&, const RemoteProducerInfo& info) override {
    announced.emplace_back(worker, info);
  }
  void withdrawProducer(unsigned worker, const std::string&, std::uint32_t pipeId) override {
    withdrawn.emplace_back(worker, pipeId);
  }
  void relaySenderReport(unsigned, const std::string&, std::uint32_t, int, const rtp::SenderInfo&) override {}
  void requestKeyFrame(unsigned, const std::string&, std::uint32_t, int) override {}
};

struct Tap : AudioTap {
  std::vector<std::string> from;
  void onOpusPacket(const std::string& participant, const std::uint8_t*, std::size_t, std::uint32_t) override {
    from.push_back(participant);
  }
};

class RouterCascadeTest : public ::testing::Test {
 protected:
  static constexpr unsigned kRemote = kFirstRemoteLink + 3;
  RemoteProducerInfo remoteMicrophone() const {
    RemoteProducerInfo info;
    info.pipeId = 77;
    info.origin = kRemote;
    info.ownerId = "carla";
    info.producerId = "carla-mic";
    info.mid = "0";
    info.kind = MediaKind::Audio;
    info.source = TrackSource::Microphone;
    info.codec = {"opus", 48000, 2, "minptime=10;useinbandfec=1", 111, 0};
    info.audioLevelExtension = 1;
    return info;
  }
  // A packet of the copy as the cascade delivers it: decrypted, the layer in the SSRC field.
  void deliverCopy(std::uint16_t seq) {
    auto packet = rtpPacket(111, 0, seq, 60);
    const auto it = piped.find(pipedKey(kRemote, 77));
    ASSERT_NE(it, piped.end()) << "the copy is not in the worker's index";
    it->second.router->onPipedRtp(it->second, packet.data(), packet.size());
  }
  std::vector<MediaEvent> offersTo(const std::string& who) const {
    std::vector<MediaEvent> out;
    for (const auto& e : events)
      if (e.type == MediaEvent::Type::SubscriberOffer && e.participantId == who) out.push_back(e);
    return out;
  }

  FakeTransports transports;
  MediaCounters counters;
  std::vector<MediaEvent> events;
  RecordingLinks links;
  PipedTracks piped;
  RouterContext context{transports, "AA:AA", {"127.0.0.1"}, counters,
                        [this](MediaEvent e) { events.push_back(std::move(e)); }, 0, &links, &piped};
  Router router{context, "room"};
};

}  // namespace

TEST_F(RouterCascadeTest, LocalTracksAreAnnouncedToRemoteShardsAgainWhileTheyLive) {
  router.setPeers({kRemote}, true);
  router.join("ana");
  router.publish("ana", publisherOffer(), {});
  ASSERT_EQ(links.announced.size(), 2u);  // microphone and camera
  EXPECT_EQ(links.announced[0].first, kRemote);
  const std::int64_t now = steadyMicrosNow();
  router.tick(now + kCascadeAnnounceMicros);
  EXPECT_EQ(links.announced.size(), 4u) << "announced again after a second";
  router.tick(now + kCascadeAnnounceMicros + 1000);
  EXPECT_EQ(links.announced.size(), 4u) << "not at every tick";
  router.leave("ana");
  EXPECT_EQ(links.withdrawn.size(), 2u);
}

TEST_F(RouterCascadeTest, ACopyFromAnotherNodeReachesSubscribersAndTheTapUntilItsAnnouncementsStop) {
  auto tap = std::make_shared<Tap>();
  router.setAudioTap(tap);
  router.setPeers({kRemote}, true);
  router.join("bruno");
  router.addRemoteProducer(remoteMicrophone());
  ASSERT_EQ(offersTo("bruno").size(), 1u);
  EXPECT_EQ(offersTo("bruno")[0].tracks[0].participantId, "carla");
  router.subscriberAnswer("bruno", answerTo(offersTo("bruno")[0].sdp));
  auto& down = static_cast<FakeTransport&>(*const_cast<MediaParticipant*>(router.participant("bruno"))->subscriber);
  down.connect();
  deliverCopy(1);
  deliverCopy(2);
  EXPECT_EQ(down.rtp.size(), 2u);
  EXPECT_EQ(tap->from, std::vector<std::string>(2, "carla")) << "the room's leading shard taps what other nodes send";

  // Announced again within the expiry: kept.
  const std::int64_t start = steadyMicrosNow();
  router.tick(start + kCascadeExpiryMicros / 2);
  router.addRemoteProducer(remoteMicrophone());
  EXPECT_EQ(offersTo("bruno").size(), 1u) << "an announcement again is no new track";
  router.tick(start + kCascadeExpiryMicros - 1000);
  EXPECT_NE(piped.find(pipedKey(kRemote, 77)), piped.end());
  // Then its node fell silent: the copy goes, and Bruno's offer drops it.
  router.tick(start + kCascadeExpiryMicros * 3);
  EXPECT_EQ(piped.find(pipedKey(kRemote, 77)), piped.end());
  EXPECT_EQ(offersTo("bruno").size(), 2u);
}

TEST_F(RouterCascadeTest, OnlyTheLeadingShardTapsCopiesFromOtherNodes) {
  auto tap = std::make_shared<Tap>();
  router.setAudioTap(tap);
  router.setPeers({kRemote}, false);  // another shard reports the speaker and taps
  router.join("bruno");
  router.addRemoteProducer(remoteMicrophone());
  deliverCopy(1);
  EXPECT_TRUE(tap->from.empty());
  router.setPeers({kRemote}, true);
  deliverCopy(2);
  EXPECT_EQ(tap->from.size(), 1u);
}

}  // namespace parley::sfu
