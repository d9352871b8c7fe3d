// A room's recording through the signaling layer: when the recording stops by itself (a
// bound reached, a full disk), everyone in the room is told it stopped, and why.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "meeting/RecordingService.h"
#include "record/MediaFixtures.h"
#include "signaling/SessionHarness.h"
#include "store/SqliteRoomStore.h"

namespace parley::signaling {
namespace {

TEST(RoomRecordingControl, ARecordingThatStopsAtItsLongestLengthIsAnnouncedWithTheReason) {
  record::fixtures::TempDirectory temp{"parley-room-recording-test-"};
  store::SqliteRoomStore store{":memory:"};
  RoomRegistry rooms{store};
  const auto room = rooms.create("Weekly");
  // The control thread is this test's: reports wait in `posted` until it runs them.
  std::vector<std::function<void()>> posted;
  std::mutex postedMutex;
  meeting::RecordingSettings settings;
  settings.directory = temp.path().string();
  settings.minFreeBytes = 0;
  settings.maxDurationMillis = 1000;
  settings.renderComposites = false;
  meeting::RecordingService recordings(
      settings, nullptr,
      [&](std::function<void()> task) {
        const std::lock_guard lock(postedMutex);
        posted.push_back(std::move(task));
      },
      [&](const meeting::RecordingReport& report) {
        if (auto active = rooms.active(report.roomId)) active->onRecordingEnded(report);
      });
  rooms.setRecordings(&recordings);

  Client mod(rooms, room.record.id), ana(rooms, room.record.id);
  mod.join("Mod", room.moderatorToken);
  ana.join("Ana");
  ASSERT_EQ(rooms.active(room.record.id)->startRecording("Mod", 1000), Room::RecordingStart::Started);
  ASSERT_EQ(ana.peer.ofType("recording").size(), 1u);
  EXPECT_EQ(ana.peer.ofType("recording")[0]["active"], true);

  for (int i = 0; i < 1000 && ana.peer.ofType("recording").size() < 2; ++i) {
    std::vector<std::function<void()>> tasks;
    {
      const std::lock_guard lock(postedMutex);
      tasks.swap(posted);
    }
    for (auto& task : tasks) task();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto frames = ana.peer.ofType("recording");
  ASSERT_EQ(frames.size(), 2u) << "the room was not told that the recording stopped";
  EXPECT_EQ(frames[1]["active"], false);
  EXPECT_EQ(frames[1]["error"], "the recording reached its longest length (1 s)");
  EXPECT_FALSE(recordings.recording(room.record.id));
  const auto listed = recordings.list(room.record.id);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state, "stopped");  // a bound is not a failure: its files are whole
  EXPECT_EQ(listed[0].error, "the recording reached its longest length (1 s)");
}

}  // namespace
}  // namespace parley::signaling
