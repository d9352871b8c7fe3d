#include "meeting/RecordingService.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <thread>

#include "meeting/RecordingStateFile.h"
#include "record/MediaFixtures.h"

namespace parley::meeting {
namespace {

namespace fs = std::filesystem;
using record::RecordingResult;
using record::RoomRecording;
using record::TrackKind;
using record::TrackOrigin;

class RecordingServiceTest : public ::testing::Test {
 protected:
  RecordingSettings settings() const {
    RecordingSettings made;
    made.directory = root_.string();
    made.minFreeBytes = 0;
    return made;
  }
  // A recording of one second of a camera and a microphone, finished, under ROOM/ID.
  std::string finishedRecording(const std::string& room, const std::string& id) {
    std::promise<RecordingResult> done;
    record::RecordingOptions options;
    options.directory = (root_ / room / id).string();
    auto made = RoomRecording::start(options, [&](const RecordingResult& r) { done.set_value(r); });
    EXPECT_TRUE(std::holds_alternative<std::unique_ptr<RoomRecording>>(made));
    auto& recording = *std::get<std::unique_ptr<RoomRecording>>(made);
    recording.note({"join", "alice", "Alice", ""});
    EXPECT_TRUE(recording.pushTrack(1, "alice", TrackKind::Video, TrackOrigin::Camera, "VP8"));
    EXPECT_TRUE(recording.pushTrack(2, "alice", TrackKind::Audio, TrackOrigin::Microphone, "opus"));
    const auto frames = record::fixtures::vp8Frames(root_.string(), 1.0);
    std::uint16_t seq = 0;
    for (std::size_t f = 0; f < frames.size(); ++f) {
      for (const auto& p : record::fixtures::vp8Packetize(frames[f], static_cast<std::uint16_t>(f))) {
        record::fixtures::pushWaiting(recording, 1, seq++, static_cast<std::uint32_t>(f * 3000), p.marker, p.payload);
      }
    }
    const auto audio = record::fixtures::opusPackets(1.0, 440);
    for (std::size_t a = 0; a < audio.size(); ++a) {
      record::fixtures::pushWaiting(recording, 2, static_cast<std::uint16_t>(a), static_cast<std::uint32_t>(a * 960),
                                    false, audio[a]);
    }
    recording.stop();
    auto future = done.get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return options.directory;
  }

  record::fixtures::TempDirectory temp_{"parley-recording-service-test-"};
  const fs::path& root_ = temp_.path();
};

TEST_F(RecordingServiceTest, ACompositeAStoppedServerLeftUnfinishedIsRenderedAtTheNextStart) {
  const std::string pending = finishedRecording("room1", "20261202-100000-aaa");
  const std::string ready = finishedRecording("room1", "20261202-110000-bbb");
  auto state = recordingState("stopped", 1000, 2000);
  state.render = "pending";  // as a server stopped before it rendered it leaves it
  ASSERT_TRUE(writeRecordingState(pending, state));
  state.render = "ready";
  state.composite = "composite.mp4";
  ASSERT_TRUE(writeRecordingState(ready, state));

  std::promise<RecordingReport> rendered;
  RecordingService service(settings(), nullptr, [](std::function<void()> task) { task(); },
                           [&](const RecordingReport& r) { rendered.set_value(r); });
  EXPECT_EQ(service.resumeRenders(), 1u);  // the ready one is left alone
  auto future = rendered.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(120)), std::future_status::ready) << "no composite rendered";
  const RecordingReport report = future.get();
  EXPECT_EQ(report.recordingId, "20261202-100000-aaa");
  EXPECT_EQ(report.kind, RecordingReport::Kind::Rendered) << report.error;
  const auto after = readRecordingState(pending);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->render, "ready");
  EXPECT_TRUE(fs::exists(pending + "/" + after->composite));
  EXPECT_FALSE(fs::exists(ready + "/composite.mp4"));
}

TEST_F(RecordingServiceTest, TheRenderQueueIsBoundedAndWhatItCannotTakeSaysSo) {
  // One render in progress (an "ffmpeg" that takes its time), 32 waiting, the next refused.
  const std::string first = finishedRecording("room1", "20261202-100000-aaa");
  const std::string slow = (root_ / "slow-ffmpeg").string();
  std::ofstream(slow) << "#!/bin/sh\nexec sleep 60\n";
  fs::permissions(slow, fs::perms::owner_all);
  record::RenderSettings settings;
  settings.ffmpeg = slow;
  CompositeRenders renders(settings, {}, {});
  ASSERT_TRUE(renders.submit("room1", "20261202-100000-aaa", first));
  for (int i = 0; i < 200 && readRecordingState(first).value_or(RecordingState{}).render != "rendering"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(readRecordingState(first).value_or(RecordingState{}).render, "rendering");
  for (std::size_t i = 0; i < CompositeRenders::kMaxQueued; ++i) {
    const std::string directory = (root_ / "room2" / std::to_string(i)).string();
    fs::create_directories(directory);
    ASSERT_TRUE(renders.submit("room2", std::to_string(i), directory)) << i;
    EXPECT_EQ(readRecordingState(directory).value_or(RecordingState{}).render, "pending");
  }
  const std::string refused = (root_ / "room2" / "refused").string();
  fs::create_directories(refused);
  EXPECT_FALSE(renders.submit("room2", "refused", refused));
  const auto state = readRecordingState(refused);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->render, "failed");
  EXPECT_EQ(state->renderError, "too many composites waiting to be rendered; the tracks are kept");
}

TEST_F(RecordingServiceTest, NoRecordingStartsUnderTheFreeSpaceFloor) {
  auto limited = settings();
  limited.minFreeBytes = 512ull << 20;
  limited.freeBytes = [](const std::string&) { return std::uint64_t{100} << 20; };
  limited.renderComposites = false;
  RecordingService service(limited, nullptr, {}, {});
  std::string problem;
  const auto started = service.start("room1", 1000, &problem);
  ASSERT_TRUE(std::holds_alternative<RecordingService::StartError>(started));
  EXPECT_EQ(std::get<RecordingService::StartError>(started), RecordingService::StartError::Disk);
  EXPECT_EQ(problem, "only 100 MB free for recordings, under the 512 MB kept free");
  EXPECT_FALSE(service.recording("room1"));
  EXPECT_TRUE(service.list("room1").empty());  // nothing left on disk
}

}  // namespace
}  // namespace parley::meeting
