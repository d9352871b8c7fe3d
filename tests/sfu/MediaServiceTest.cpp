// The media plane as the control plane drives it: workers on real loopback UDP ports, rooms
// placed on them, commands posted, events coming back on the control thread.
#include "sfu/MediaService.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "sdp/SessionDescription.h"
#include "sfu/MediaTestSupport.h"
#include "sfu/Worker.h"

namespace parley::sfu {

TEST(MediaService, StartsWorkersOnFreePortsAndSkipsTakenOnes) {
  const std::uint16_t lo = freeRangeStart();
  const HeldPort taken(lo);  // someone holds the first port of the range
  Control control;
  MediaConfig config;
  config.portMin = lo;
  config.portMax = static_cast<std::uint16_t>(lo + 5);
  config.workers = 2;
  MediaService media(config, control.io, [&](const MediaEvent& e) { control.events.push_back(e); });
  const auto ports = media.ports();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_EQ(ports[0], lo + 1);
  EXPECT_EQ(ports[1], lo + 2);
  const std::string metrics = media.renderMetrics();
  EXPECT_NE(metrics.find("parley_media_workers 2"), std::string::npos);
  EXPECT_NE(metrics.find("parley_media_dropped_total{reason=\"consent_refused\"}"), std::string::npos);
}

TEST(MediaService, RefusesToStartWithoutAFreePort) {
  const std::uint16_t lo = freeRangeStart();
  const HeldPort taken(lo);
  Control control;
  MediaConfig config;
  config.portMin = config.portMax = lo;
  try {
    MediaService media(config, control.io, [](const MediaEvent&) {});
    FAIL() << "started without a port";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no UDP port free"), std::string::npos) << e.what();
  }
}

// Several addresses: each worker binds its port on every one (a port taken on any of them is
// skipped), and the answers offer a host candidate on each, with the public addresses a NAT
// maps to a wildcard in place of it.
TEST(MediaService, ServesEveryAddressOnOnePortPerWorkerAndOffersThemAll) {
  const std::uint16_t lo = freeRangeStart();
  const HeldPort taken(lo);  // on 127.0.0.1 only; ::1 is free there
  Control control;
  MediaConfig config;
  config.addresses = {{"::1", {}}, {"127.0.0.1", {}}};
  config.portMin = lo;
  config.portMax = static_cast<std::uint16_t>(lo + 5);
  config.tcpPortMin = static_cast<std::uint16_t>(lo + 6);
  config.tcpPortMax = static_cast<std::uint16_t>(lo + 9);
  config.workers = 1;
  MediaService media(config, control.io, [&](const MediaEvent& e) { control.events.push_back(e); });
  ASSERT_EQ(media.ports(), (std::vector<std::uint16_t>{static_cast<std::uint16_t>(lo + 1)}));
  {
    boost::asio::io_context io;
    boost::asio::ip::udp::socket probe(io);
    probe.open(boost::asio::ip::udp::v6());
    boost::system::error_code ec;
    probe.bind({boost::asio::ip::make_address("::1"), static_cast<std::uint16_t>(lo + 1)}, ec);
    EXPECT_TRUE(ec) << "the worker holds its port on ::1 too";
  }
  media.join("room", "ana");
  media.publish("room", "ana", microphoneOffer(), {{"0", TrackSource::Microphone}});
  ASSERT_TRUE(control.await(MediaEvent::Type::PublisherAnswer));
  const auto answer = std::find_if(control.events.begin(), control.events.end(),
                                   [](auto& e) { return e.type == MediaEvent::Type::PublisherAnswer; });
  const auto port = std::to_string(lo + 1), tcpPort = std::to_string(lo + 6);
  for (const auto& line : {"a=candidate:1 1 udp 2130706431 ::1 " + port + " typ host",
                           "a=candidate:2 1 tcp 2124414975 ::1 " + tcpPort + " typ host tcptype passive",
                           "a=candidate:3 1 udp 2130706175 127.0.0.1 " + port + " typ host",
                           "a=candidate:4 1 tcp 2124414719 127.0.0.1 " + tcpPort + " typ host tcptype passive"}) {
    EXPECT_NE(answer->sdp.find(line), std::string::npos) << line << " in " << answer->sdp;
  }
  media.leave("room", "ana");

  MediaConfig behindNat;
  behindNat.addresses = {{"0.0.0.0", {"203.0.113.5", "198.51.100.5"}}};
  behindNat.portMin = static_cast<std::uint16_t>(lo + 2);
  behindNat.portMax = static_cast<std::uint16_t>(lo + 5);
  behindNat.workers = 1;
  MediaService natted(behindNat, control.io, [&](const MediaEvent& e) { control.events.push_back(e); });
  control.events.clear();
  natted.join("room", "bruno");
  natted.publish("room", "bruno", microphoneOffer(), {{"0", TrackSource::Microphone}});
  ASSERT_TRUE(control.await(MediaEvent::Type::PublisherAnswer));
  const auto& sdp = control.events.back().sdp;
  EXPECT_NE(sdp.find(" 203.0.113.5 "), std::string::npos) << sdp;
  EXPECT_NE(sdp.find(" 198.51.100.5 "), std::string::npos) << sdp;
  EXPECT_EQ(sdp.find(" 0.0.0.0 "), std::string::npos) << "the wildcard is no candidate: " << sdp;
  natted.leave("room", "bruno");
}

// A publish posted to the participant's worker comes back as its answer, on the control
// thread; a bad one comes back as an error for that participant only.
TEST(MediaService, AnswersComeBackOnTheControlThread) {
  const std::uint16_t lo = freeRangeStart();
  Control control;
  MediaConfig config;
  config.portMin = lo;
  config.portMax = static_cast<std::uint16_t>(lo + 3);
  config.workers = 1;
  const auto controlThread = std::this_thread::get_id();
  bool elsewhere = false;
  MediaService media(config, control.io, [&](const MediaEvent& e) {
    elsewhere = elsewhere || std::this_thread::get_id() != controlThread;
    control.events.push_back(e);
  });
  media.join("room", "ana");
  media.join("room", "bruno");
  media.publish("room", "ana", microphoneOffer(), {{"0", TrackSource::Microphone}});
  ASSERT_TRUE(control.await(MediaEvent::Type::PublisherAnswer));
  ASSERT_TRUE(control.await(MediaEvent::Type::SubscriberOffer)) << "bruno is offered ana's microphone";
  EXPECT_FALSE(elsewhere);
  const auto offer = std::find_if(control.events.begin(), control.events.end(),
                                  [](auto& e) { return e.type == MediaEvent::Type::SubscriberOffer; });
  EXPECT_EQ(offer->participantId, "bruno");
  ASSERT_EQ(offer->tracks.size(), 1u);
  EXPECT_EQ(offer->tracks[0].source, TrackSource::Microphone);
  media.publish("room", "bruno", "not SDP", {});
  ASSERT_TRUE(control.await(MediaEvent::Type::Error));
  EXPECT_EQ(control.events.back().participantId, "bruno");
  media.leave("room", "ana");
  media.leave("room", "bruno");
}

// Past --worker-streams, newcomers go to another worker and the room spans both.
TEST(MediaService, ARoomSpillsOntoAnotherWorkerPastItsStreams) {
  const std::uint16_t lo = freeRangeStart();
  Control control;
  MediaConfig config;
  config.portMin = lo;
  config.portMax = static_cast<std::uint16_t>(lo + 3);
  config.workers = 2;
  config.streamsPerWorker = 2;
  MediaService media(config, control.io, [&](const MediaEvent& e) { control.events.push_back(e); });
  media.join("room", "ana");
  media.publish("room", "ana", microphoneOffer(), {});
  ASSERT_TRUE(control.await(MediaEvent::Type::PublisherAnswer));
  for (const char* who : {"b", "c", "d"}) media.join("room", who);
  // Each newcomer on the second worker is offered ana's track, piped from the first.
  ASSERT_TRUE(control.await(MediaEvent::Type::SubscriberOffer, 3));
  const std::string metrics = media.renderMetrics();
  EXPECT_NE(metrics.find("parley_media_rooms_spanning_workers 1"), std::string::npos) << metrics;
}

// A worker's thread, its rooms and its clock, on its own.
TEST(Worker, HostsRoomsOnItsThreadAndStopsCleanly) {
  std::vector<MediaEvent> events;
  std::mutex mutex;
  net::Address bindTo = net::Address::ipv4(127, 0, 0, 1, 0);
  Worker worker(0, {bindTo}, {}, {"127.0.0.1"}, dtls::Certificate::generate(), [&](MediaEvent e) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(e));
  });
  std::vector<Worker*> siblings{&worker};
  worker.setSiblings(siblings);
  worker.start();
  EXPECT_NE(worker.port(), 0);
  std::promise<std::thread::id> ran;
  worker.post([&] {
    worker.router("room").join("ana");
    worker.router("room").publish("ana", microphoneOffer(), {});
    ran.set_value(std::this_thread::get_id());
  });
  auto future = ran.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_NE(future.get(), std::this_thread::get_id()) << "rooms live on the worker's own thread";
  std::promise<bool> released;
  worker.post([&] {
    worker.router("room").leave("ana");
    worker.releaseIfEmpty("room");
    released.set_value(worker.findRouter("room") == nullptr);
  });
  auto done = released.get_future();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_TRUE(done.get()) << "an empty room's router goes";
  worker.stop();
  std::lock_guard lock(mutex);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().type, MediaEvent::Type::PublisherAnswer);
}

}  // namespace parley::sfu
