#include "record/CompositePlan.h"
#include "record/CompositeRenderer.h"

#include <gtest/gtest.h>

#include <future>
#include <regex>

#include "common/Clock.h"
#include "record/MediaFixtures.h"
#include "record/RoomRecording.h"

namespace parley::record {
namespace {

namespace fs = std::filesystem;

TEST(CompositePlan, TheGridFillsTheStageAndCentresItsLastRow) {
  const auto one = gridTiles(1, 1280, 720);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].w, 1280);
  EXPECT_EQ(one[0].h, 720);
  const auto three = gridTiles(3, 1280, 720);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(three[0].x, 0);
  EXPECT_EQ(three[1].x, 640);
  EXPECT_EQ(three[2].x, 320) << "the last row is centred";
  EXPECT_EQ(three[2].y, 360);
  const auto ten = gridTiles(10, 1280, 720);
  for (const auto& t : ten) {
    EXPECT_LE(t.x + t.w, 1280);
    EXPECT_LE(t.y + t.h, 720);
    EXPECT_EQ(t.w % 2, 0);
  }
}

RecordingManifest threeTracks() {
  RecordingManifest m;
  m.durationMillis = 20000;
  m.tracks = {{"1-a-camera.webm", "a", "camera", "video", "vp8", 0, 19000, 640, 360},
              {"2-a-microphone.webm", "a", "microphone", "audio", "opus", 10, 19900, 0, 0},
              {"3-b-microphone.webm", "b", "microphone", "audio", "opus", 2000, 19900, 0, 0},
              {"4-b-screen.webm", "b", "screen", "video", "vp8", 5000, 15000, 1280, 720}};
  return m;
}

TEST(CompositePlan, NamesGoThroughFilesAndTheSpeakerThroughAScript) {
  const std::vector<RecordedEvent> events = {{0, "join", "a", "Alice 'O:Brien'; [x]", ""},
                                             {10, "join", "b", "Bob", ""},
                                             {3000, "speaker", "b", "", ""},
                                             {3500, "speaker", "b", "", ""},
                                             {6000, "speaker", "a", "", ""},
                                             {7000, "speaker", "nobody", "", ""}};
  const auto plan = planComposite(threeTracks(), events, {});
  EXPECT_TRUE(plan.video);
  EXPECT_EQ(plan.output, "composite.mp4");
  ASSERT_EQ(plan.inputs.size(), 4u);
  ASSERT_EQ(plan.labels.size(), 2u);
  EXPECT_EQ(plan.labels[0].second, "Alice 'O:Brien'; [x]");
  EXPECT_EQ(plan.filterGraph.find("O:Brien"), std::string::npos) << "a name never enters the graph";
  EXPECT_NE(plan.filterGraph.find("amix=inputs=2"), std::string::npos);
  EXPECT_NE(plan.filterGraph.find("adelay=2000|2000"), std::string::npos) << "Bob's microphone from 2 s";
  EXPECT_NE(plan.filterGraph.find("between(t,5.000,15.000)"), std::string::npos) << "the screen's time takes the stage";
  // One change of speaker a line: Bob at 3 s, Alice at 6 s (a repeat or an unknown participant changes nothing).
  const auto lines = std::count(plan.commands.begin(), plan.commands.end(), '\n');
  EXPECT_EQ(lines, 2);
  EXPECT_NE(plan.commands.find("3.000 drawbox@hg1 color yellow@1"), std::string::npos) << plan.commands;
  EXPECT_NE(plan.commands.find("6.000 drawbox@hg1 color yellow@0"), std::string::npos) << plan.commands;
  EXPECT_NE(plan.filterGraph.find("sendcmd=f=commands.txt"), std::string::npos);
}

TEST(CompositePlan, WithoutASpeakerToOutlineThereIsNoScript) {
  // A room of one, or one where nobody was heard: ffmpeg refuses an empty sendcmd script.
  const auto plan = planComposite(threeTracks(), {{0, "join", "a", "Alice", ""}}, {});
  EXPECT_TRUE(plan.video);
  EXPECT_EQ(plan.commands, "");
  EXPECT_EQ(plan.filterGraph.find("sendcmd"), std::string::npos) << plan.filterGraph;
}

TEST(CompositePlan, ARoomWithoutCamerasGivesAnAudioFile) {
  RecordingManifest m;
  m.durationMillis = 5000;
  m.tracks = {{"1-a-microphone.webm", "a", "microphone", "audio", "opus", 0, 5000, 0, 0}};
  const auto plan = planComposite(m, {}, {});
  EXPECT_FALSE(plan.video);
  EXPECT_EQ(plan.output, "composite.m4a");
  const auto args = plan.arguments("/rec", "out.m4a", {});
  EXPECT_EQ(std::find(args.begin(), args.end(), "[vout]"), args.end());
}

class CompositeRenderTest : public ::testing::Test {
 protected:
  fixtures::TempDirectory temp_{"parley-composite-test-"};
  const fs::path& root_ = temp_.path();
};

// The mean level (dB) of a file's audio around `hertz`.
double levelAround(const std::string& path, int hertz) {
  const std::string out = fixtures::run("ffmpeg -hide_banner -nostats -i '" + path + "' -af bandpass=f=" +
                                        std::to_string(hertz) + ":width_type=q:w=8,volumedetect -f null - 2>&1");
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("mean_volume: (-?[0-9.]+) dB"))) return -200;
  return std::stod(m[1]);
}

TEST_F(CompositeRenderTest, ACameraAScreenAndTwoVoicesBecomeOneVideo) {
  std::promise<RecordingResult> done;
  RecordingOptions options;
  options.directory = (root_ / "recording").string();
  auto made = RoomRecording::start(options, [&](const RecordingResult& r) { done.set_value(r); });
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<RoomRecording>>(made));
  auto& recording = *std::get<std::unique_ptr<RoomRecording>>(made);
  recording.note({"join", "alice", "Alice", ""});
  recording.note({"join", "bob", "Bob", ""});
  recording.note({"speaker", "bob", "", ""});
  const double seconds = 3.0;
  const auto camera = fixtures::vp8Frames(root_.string(), seconds);
  const auto screen = fixtures::vp8Frames(root_.string(), seconds, 640, 360);
  const auto alice = fixtures::opusPackets(seconds, 440), bob = fixtures::opusPackets(seconds, 1000);
  ASSERT_TRUE(recording.pushTrack(1, "alice", TrackKind::Video, TrackOrigin::Camera, "VP8"));
  ASSERT_TRUE(recording.pushTrack(2, "alice", TrackKind::Audio, TrackOrigin::Microphone, "opus"));
  ASSERT_TRUE(recording.pushTrack(3, "bob", TrackKind::Audio, TrackOrigin::Microphone, "opus"));
  ASSERT_TRUE(recording.pushTrack(4, "bob", TrackKind::Video, TrackOrigin::Screen, "VP8"));
  auto push = [&](std::uint32_t track, std::uint16_t seq, std::uint32_t ts, bool marker, const fixtures::Bytes& p) {
    fixtures::pushWaiting(recording, track, seq, ts, marker, p);
  };
  std::uint16_t s1 = 0, s4 = 0;
  for (std::size_t f = 0; f < camera.size(); ++f) {
    for (const auto& p : fixtures::vp8Packetize(camera[f], static_cast<std::uint16_t>(f))) push(1, s1++, f * 3000, p.marker, p.payload);
    if (f < screen.size()) {
      for (const auto& p : fixtures::vp8Packetize(screen[f], static_cast<std::uint16_t>(f))) push(4, s4++, f * 3000, p.marker, p.payload);
    }
  }
  for (std::size_t a = 0; a < alice.size(); ++a) {
    push(2, static_cast<std::uint16_t>(a), a * 960, false, alice[a]);
    push(3, static_cast<std::uint16_t>(a), a * 960, false, bob[a]);
  }
  recording.stop();
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  const RecordingResult recorded = future.get();
  ASSERT_EQ(recorded.tracks.size(), 4u);

  std::vector<double> seen;
  std::atomic<bool> cancelled{false};
  const auto result = renderComposite(options.directory, {}, [&](double f) { seen.push_back(f); }, cancelled);
  ASSERT_EQ(result.error, "");
  ASSERT_EQ(result.output, "composite.mp4");
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 1.0);
  const std::string path = options.directory + "/composite.mp4";
  const auto probed = fixtures::probe(path);
  ASSERT_TRUE(probed.is_object());
  bool video = false, audio = false;
  for (const auto& s : probed["streams"]) {
    if (s["codec_type"] == "video") {
      video = true;
      EXPECT_EQ(s["codec_name"], "h264");
      EXPECT_EQ(s["width"], 1280);
      EXPECT_EQ(s["height"], 720);
    } else if (s["codec_type"] == "audio") {
      audio = true;
      EXPECT_EQ(s["codec_name"], "aac");
    }
  }
  EXPECT_TRUE(video && audio);
  // As long as the recording, or its last track if that ends later (fed faster than real
  // time here: the tracks began when their first packets came and last their media's time).
  std::int64_t end = recorded.durationMillis;
  for (const auto& t : recorded.tracks) end = std::max(end, t.endMillis);
  EXPECT_NEAR(fixtures::probedDuration(probed), static_cast<double>(end) / 1000.0, 0.3);
  // Both voices are in the mix, well above a band where nobody spoke.
  const double quiet = levelAround(path, 3000);
  EXPECT_GT(levelAround(path, 440), quiet + 15);
  EXPECT_GT(levelAround(path, 1000), quiet + 15);
  EXPECT_FALSE(fs::exists(options.directory + "/.render")) << "the work files are removed";
  // For a reviewer who wants to watch it: PARLEY_KEEP_COMPOSITE=/tmp/composite.mp4.
  if (const char* keep = std::getenv("PARLEY_KEEP_COMPOSITE")) fs::copy_file(path, keep, fs::copy_options::overwrite_existing);
}

TEST_F(CompositeRenderTest, ARecordingWithoutAManifestSaysSo) {
  std::atomic<bool> cancelled{false};
  const auto result = renderComposite(root_.string(), {}, {}, cancelled);
  EXPECT_EQ(result.output, "");
  EXPECT_NE(result.error.find("manifest"), std::string::npos);
}

}  // namespace
}  // namespace parley::record
