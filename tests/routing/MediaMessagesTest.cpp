// The messages between a room's home and the nodes hosting its media: every command and
// report survives the wire, and what is not one is refused with a reason.
#include "routing/MediaMessages.h"

#include <gtest/gtest.h>

namespace parley::routing {

TEST(MediaMessages, CommandsSurviveTheWire) {
  MediaCommand publish;
  publish.type = MediaCommand::Type::Publish;
  publish.roomId = "room-1";
  publish.participantId = "ana";
  publish.sdp = "v=0\r\n";
  publish.sources = {{"0", sfu::TrackSource::Microphone}, {"1", sfu::TrackSource::Screen}};
  std::string error;
  auto back = decodeCommand(encodeCommand(publish), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->type, MediaCommand::Type::Publish);
  EXPECT_EQ(back->participantId, "ana");
  EXPECT_EQ(back->sdp, "v=0\r\n");
  EXPECT_EQ(back->sources, publish.sources);

  MediaCommand shards;
  shards.type = MediaCommand::Type::Shards;
  shards.roomId = "room-1";
  shards.shards = {{"node-a", 0, "10.0.0.1", 41000}, {"node-b", 3, "10.0.0.2", 42000}};
  back = decodeCommand(encodeCommand(shards), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->shards, shards.shards);

  MediaCommand show;
  show.type = MediaCommand::Type::Show;
  show.roomId = "room-1";
  show.participantId = "bruno";
  show.shown = {{"3", 720}, {"5", 0}};
  back = decodeCommand(encodeCommand(show), error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->shown.size(), 2u);
  EXPECT_EQ(back->shown[0].height, 720);
}

TEST(MediaMessages, ReportsSurviveTheWire) {
  MediaReport offer;
  offer.event = {sfu::MediaEvent::Type::SubscriberOffer, "room-1", "bruno", "v=0\r\n",
                 {{"0", "ana", sfu::TrackSource::Microphone, sfu::MediaKind::Audio}}, {}, "", {{"h", false}}};
  std::string error;
  auto back = decodeReport(encodeReport(offer), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->type, MediaReport::Type::Event);
  EXPECT_EQ(back->event.type, sfu::MediaEvent::Type::SubscriberOffer);
  EXPECT_EQ(back->event.participantId, "bruno");
  ASSERT_EQ(back->event.tracks.size(), 1u);
  EXPECT_EQ(back->event.tracks[0].participantId, "ana");
  EXPECT_EQ(back->event.tracks[0].kind, sfu::MediaKind::Audio);
  ASSERT_EQ(back->event.layers.size(), 1u);
  EXPECT_FALSE(back->event.layers[0].active);

  MediaReport shards;
  shards.type = MediaReport::Type::Shards;
  shards.roomId = "room-1";
  shards.shards = {{0, 41000}, {2, 41002}};
  back = decodeReport(encodeReport(shards), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->shards, shards.shards);
}

TEST(MediaMessages, WhatIsNotAMessageIsRefusedWithAReason) {
  std::string error;
  for (const char* bad : {"", "[]", "not json", R"({"t":"join"})", R"({"t":"join","room":"r"})",
                          R"({"t":"fly","room":"r","p":"x"})", R"({"t":"publish","room":"r","p":"x","sdp":"v"})",
                          R"({"t":"publish","room":"r","p":"x","sdp":"v","sources":{"0":"drone"}})",
                          R"({"t":"shards","room":"r","shards":[{"node":"n","worker":1,"address":"a","port":0}]})",
                          R"({"t":"show","room":"r","p":"x","shown":[{"mid":"1","height":-1}]})",
                          R"({"t":"join","room":1,"p":"x"})"}) {
    error.clear();
    EXPECT_FALSE(decodeCommand(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  const std::string longRoom = R"({"t":"join","p":"x","room":")" + std::string(300, 'r') + "\"}";
  EXPECT_FALSE(decodeCommand(longRoom, error));
  for (const char* bad : {R"({"t":"event","type":"bang","room":"r","p":"x"})",
                          R"({"t":"event","type":"error","room":"r","p":"x","tracks":[{"mid":"0"}]})",
                          R"({"t":"shards","room":"r","shards":[{"worker":-1,"port":4}]})"}) {
    EXPECT_FALSE(decodeReport(bad, error)) << bad;
  }
  EXPECT_FALSE(decodeHello("{}"));
  EXPECT_TRUE(decodeHello(encodeHello({"node-a", "key"})));
}

}  // namespace parley::routing
