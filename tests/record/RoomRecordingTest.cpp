#include "record/RoomRecording.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <future>

#include "common/Clock.h"
#include "record/MediaFixtures.h"

namespace parley::record {
namespace {

namespace fs = std::filesystem;
using fixtures::Bytes;

class RoomRecordingTest : public ::testing::Test {
 protected:
  std::unique_ptr<RoomRecording> start(RecordingOptions options = {}) {
    options.directory = (root_ / "recording").string();
    auto made = RoomRecording::start(options, [this](const RecordingResult& r) { done_.set_value(r); });
    if (auto* error = std::get_if<std::string>(&made)) ADD_FAILURE() << *error;
    return std::move(std::get<std::unique_ptr<RoomRecording>>(made));
  }
  RecordingResult stop(RoomRecording& recording) {
    recording.stop();
    auto future = done_.get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return future.get();
  }
  static void push(RoomRecording& r, std::uint32_t track, std::uint16_t seq, std::uint32_t ts, bool marker,
                   const Bytes& payload) {
    fixtures::pushWaiting(r, track, seq, ts, marker, payload);
  }
  // `seconds` of a VP8 camera (track 1) and an Opus microphone (track 2), as they would
  // interleave; `skip` leaves out one video packet by its index.
  void feedCameraAndMicrophone(RoomRecording& r, double seconds, int skip = -1) {
    ASSERT_TRUE(r.pushTrack(1, "alice", TrackKind::Video, TrackOrigin::Camera, "VP8"));
    ASSERT_TRUE(r.pushTrack(2, "alice", TrackKind::Audio, TrackOrigin::Microphone, "opus"));
    const auto frames = fixtures::vp8Frames(root_.string(), seconds);
    const auto audio = fixtures::opusPackets(seconds, 440);
    ASSERT_GT(frames.size(), 0u);
    std::uint16_t videoSeq = 1000, audioSeq = 7;
    std::size_t a = 0;
    int index = 0;
    for (std::size_t f = 0; f < frames.size(); ++f) {
      for (const auto& p : fixtures::vp8Packetize(frames[f], static_cast<std::uint16_t>(f))) {
        if (index++ != skip) push(r, 1, videoSeq, static_cast<std::uint32_t>(f * 3000), p.marker, p.payload);
        ++videoSeq;
      }
      // Audio up to this frame's time (20 ms a packet, 33.3 ms a frame).
      for (; a < audio.size() && a * 20 <= (f + 1) * 1000 / 30; ++a) {
        push(r, 2, audioSeq++, static_cast<std::uint32_t>(a * 960), false, audio[a]);
      }
    }
    for (; a < audio.size(); ++a) push(r, 2, audioSeq++, static_cast<std::uint32_t>(a * 960), false, audio[a]);
  }

  fixtures::TempDirectory temp_{"parley-recording-test-"};
  const fs::path& root_ = temp_.path();
  std::promise<RecordingResult> done_;
};

const TrackSummary* trackOf(const RecordingResult& result, std::uint32_t id) {
  for (const auto& t : result.tracks) {
    if (t.info.id == id) return &t;
  }
  return nullptr;
}

TEST_F(RoomRecordingTest, EachTrackIsAPlayableFileOfItsDuration) {
  auto recording = start();
  feedCameraAndMicrophone(*recording, 3.0);
  const RecordingResult result = stop(*recording);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.packetsDropped, 0u);
  ASSERT_EQ(result.tracks.size(), 2u);
  const TrackSummary* camera = trackOf(result, 1);
  const TrackSummary* microphone = trackOf(result, 2);
  ASSERT_TRUE(camera && microphone);
  EXPECT_EQ(camera->file, "1-alice-camera.webm");
  EXPECT_EQ(microphone->file, "2-alice-microphone.webm");
  EXPECT_EQ(camera->frames, 90u);
  EXPECT_EQ(camera->framesLost, 0u);

  const std::string dir = recording->directory();
  const auto video = fixtures::probe(dir + "/" + camera->file);
  ASSERT_TRUE(video.is_object()) << "ffprobe cannot read the camera's file";
  EXPECT_EQ(video["streams"][0]["codec_name"], "vp8");
  EXPECT_EQ(video["streams"][0]["width"], 320);
  EXPECT_EQ(video["streams"][0]["height"], 240);
  EXPECT_NEAR(fixtures::probedDuration(video), 3.0, 0.1);
  EXPECT_TRUE(fixtures::decodesCleanly(dir + "/" + camera->file));

  const auto audio = fixtures::probe(dir + "/" + microphone->file);
  ASSERT_TRUE(audio.is_object());
  EXPECT_EQ(audio["streams"][0]["codec_name"], "opus");
  EXPECT_NEAR(fixtures::probedDuration(audio), 3.0, 0.1);
  EXPECT_TRUE(fixtures::decodesCleanly(dir + "/" + microphone->file));

  const auto manifest = nlohmann::json::parse(fixtures::readFile(dir + "/manifest.json"), nullptr, false);
  ASSERT_TRUE(manifest.is_object());
  ASSERT_EQ(manifest["tracks"].size(), 2u);
  EXPECT_FALSE(fs::exists(dir + "/.reserve"));  // the space set aside is given back
}

TEST_F(RoomRecordingTest, H264IsWrittenToMatroskaWithItsParameterSets) {
  auto recording = start();
  ASSERT_TRUE(recording->pushTrack(5, "bob", TrackKind::Video, TrackOrigin::Screen, "H264"));
  const auto units = fixtures::h264AccessUnits(root_.string(), 2.0);
  ASSERT_EQ(units.size(), 60u);
  std::uint16_t seq = 65000;  // wraps on the way
  for (std::size_t u = 0; u < units.size(); ++u) {
    for (const auto& p : fixtures::h264Packetize(units[u])) {
      push(*recording, 5, seq++, static_cast<std::uint32_t>(u * 3000), p.marker, p.payload);
    }
  }
  const RecordingResult result = stop(*recording);
  ASSERT_EQ(result.tracks.size(), 1u);
  EXPECT_EQ(result.tracks[0].file, "1-bob-screen.mkv");
  EXPECT_EQ(result.tracks[0].frames, 60u);
  const std::string path = recording->directory() + "/" + result.tracks[0].file;
  const auto probed = fixtures::probe(path);
  ASSERT_TRUE(probed.is_object());
  EXPECT_EQ(probed["streams"][0]["codec_name"], "h264");
  EXPECT_EQ(probed["streams"][0]["width"], 320);
  EXPECT_NEAR(fixtures::probedDuration(probed), 2.0, 0.1);
  EXPECT_TRUE(fixtures::decodesCleanly(path));
}

TEST_F(RoomRecordingTest, ALostPacketCostsFramesUntilAKeyFrameAndAsksForOne) {
  auto recording = start();
  feedCameraAndMicrophone(*recording, 2.0, /*skip=*/40);  // a packet of a frame in the first second
  // The writer gives up on the gap once it has waited a retransmission's time.
  bool wished = false;
  for (int i = 0; i < 200 && !wished; ++i) {
    wished = recording->takeKeyFrameWish(1);
    if (!wished) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const RecordingResult result = stop(*recording);
  EXPECT_TRUE(wished) << "the recording did not ask for a key frame";
  const TrackSummary* camera = trackOf(result, 1);
  ASSERT_TRUE(camera);
  EXPECT_GE(camera->framesLost, 1u);
  EXPECT_GT(camera->frames, 30u);  // the second second, from its key frame
  EXPECT_LT(camera->frames, 60u);
  EXPECT_TRUE(fixtures::decodesCleanly(recording->directory() + "/" + camera->file));
}

TEST_F(RoomRecordingTest, AFullDiskStopsItAndWhatWasWrittenStaysPlayable) {
  RecordingOptions options;
  options.reserveBytes = 0;
  // The test's own "disk": files may not grow past 80 kB (writes fail with EFBIG, as with ENOSPC).
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit before{};
  ::getrlimit(RLIMIT_FSIZE, &before);
  rlimit small = before;
  small.rlim_cur = 80 * 1024;
  // The fixtures are made first: ffmpeg must not run under the limit.
  const auto frames = fixtures::vp8Frames(root_.string(), 6.0);
  ::setrlimit(RLIMIT_FSIZE, &small);
  auto recording = start(options);
  ASSERT_TRUE(recording->pushTrack(1, "alice", TrackKind::Video, TrackOrigin::Camera, "VP8"));
  std::uint16_t seq = 0;
  for (std::size_t f = 0; f < frames.size() && !recording->ended(); ++f) {
    for (const auto& p : fixtures::vp8Packetize(frames[f], static_cast<std::uint16_t>(f))) {
      push(*recording, 1, seq++, static_cast<std::uint32_t>(f * 3000), p.marker, p.payload);
    }
  }
  auto future = done_.get_future();
  const bool stopped = future.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  ::setrlimit(RLIMIT_FSIZE, &before);
  ASSERT_TRUE(stopped) << "the recording did not stop";
  const RecordingResult result = future.get();
  EXPECT_NE(result.error, "");
  EXPECT_TRUE(recording->ended());
  EXPECT_FALSE(recording->pushPacket(2, 1, 1, false, Bytes(10, 0), 0));  // takes nothing more
  const TrackSummary* camera = trackOf(result, 1);
  ASSERT_TRUE(camera);
  const std::string path = recording->directory() + "/" + camera->file;
  const auto probed = fixtures::probe(path);
  ASSERT_TRUE(probed.is_object()) << "the file cut short cannot be read";
  EXPECT_EQ(probed["streams"][0]["codec_name"], "vp8");
  // The limit cut the file (and its ending, which needs room a real disk gets from the
  // reserve file): what was written before still plays.
  const int playable = fixtures::decodedFrames(path);
  EXPECT_GT(playable, 15) << "less than half a second playable";
  EXPECT_LT(playable, 150);
}

TEST_F(RoomRecordingTest, StopsByItselfAtItsLongestLengthWithWholeFiles) {
  RecordingOptions options;
  options.maxDurationMillis = 1500;
  auto recording = start(options);
  feedCameraAndMicrophone(*recording, 1.0);
  auto future = done_.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "it did not stop by itself";
  const RecordingResult result = future.get();
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.limit, "the recording reached its longest length (1 s)");
  EXPECT_GE(result.durationMillis, 1500);
  EXPECT_LT(result.durationMillis, 5000);
  EXPECT_FALSE(recording->pushPacket(2, 1, 1, false, Bytes(10, 0), 0));
  const TrackSummary* camera = trackOf(result, 1);
  ASSERT_TRUE(camera);
  EXPECT_EQ(camera->frames, 30u);
  EXPECT_TRUE(fixtures::decodesCleanly(recording->directory() + "/" + camera->file));
  const auto manifest = nlohmann::json::parse(fixtures::readFile(recording->directory() + "/manifest.json"), nullptr, false);
  ASSERT_TRUE(manifest.is_object());
  EXPECT_EQ(manifest.value("limit", ""), result.limit);
  EXPECT_FALSE(manifest.contains("error"));
}

TEST_F(RoomRecordingTest, StopsByItselfWhenItsDiskNearsTheFreeSpaceFloor) {
  RecordingOptions options;
  options.minFreeBytes = 100 << 20;
  // The disk as the recording sees it: 101 MB free, then 99 MB once it has written.
  std::atomic<std::uint64_t> freeBytes{101ull << 20};
  options.freeBytes = [&freeBytes](const std::string&) { return freeBytes.load(); };
  auto recording = start(options);
  feedCameraAndMicrophone(*recording, 1.0);
  auto future = done_.get_future();
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(1500)), std::future_status::timeout)
      << "it stopped with enough space left";
  freeBytes = 99ull << 20;
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "it did not stop by itself";
  const RecordingResult result = future.get();
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.limit, "the recordings' disk is down to 99 MB free (100 MB are kept free)");
  const TrackSummary* camera = trackOf(result, 1);
  ASSERT_TRUE(camera);
  EXPECT_TRUE(fixtures::decodesCleanly(recording->directory() + "/" + camera->file));
}

TEST_F(RoomRecordingTest, DoesNotStartUnderTheFreeSpaceFloor) {
  RecordingOptions options;
  options.directory = (root_ / "refused").string();
  options.minFreeBytes = 100 << 20;
  options.freeBytes = [](const std::string&) { return std::uint64_t{40} << 20; };
  auto made = RoomRecording::start(options, [](const RecordingResult&) {});
  ASSERT_TRUE(std::holds_alternative<std::string>(made));
  EXPECT_EQ(std::get<std::string>(made), "only 40 MB free for recordings, under the 100 MB kept free");
  EXPECT_FALSE(fs::exists(options.directory));  // nothing left behind
}

TEST_F(RoomRecordingTest, EventsAreWrittenWithTheirTime) {
  auto recording = start();
  recording->note({"join", "alice", "Alice Martin", ""});
  recording->note({"mute", "alice", "", "microphone"});
  stop(*recording);
  const auto text = fixtures::readFile(recording->directory() + "/events.jsonl");
  const std::string events(text.begin(), text.end());
  EXPECT_NE(events.find("\"type\":\"join\""), std::string::npos) << events;
  EXPECT_NE(events.find("\"name\":\"Alice Martin\""), std::string::npos) << events;
  EXPECT_NE(events.find("\"type\":\"mute\""), std::string::npos) << events;
}

TEST_F(RoomRecordingTest, WhatTheQueueCannotHoldIsDroppedAndCounted) {
  // Two slots, and packets pushed as fast as a media thread can: the writer (niced, writing
  // a file) falls behind, the pushes that find the queue full return false at once (a media
  // thread never waits), and each of them is counted.
  RecordingOptions options;
  options.queueSlots = 2;
  auto recording = start(options);
  ASSERT_TRUE(recording->pushTrack(2, "alice", TrackKind::Audio, TrackOrigin::Microphone, "opus"));
  const auto audio = fixtures::opusPackets(1.0, 440);
  std::uint64_t refused = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto& payload = audio[static_cast<std::size_t>(i) % audio.size()];
    if (!recording->pushPacket(2, static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i * 960), false, payload,
                               steadyMicrosNow())) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0u) << "a queue of two slots never filled";
  EXPECT_LT(refused, 20000u);
  EXPECT_EQ(recording->packetsDropped(), refused);
  const RecordingResult result = stop(*recording);
  EXPECT_EQ(result.packetsDropped, refused);
  const auto manifest = nlohmann::json::parse(fixtures::readFile(recording->directory() + "/manifest.json"), nullptr, false);
  ASSERT_TRUE(manifest.is_object());
  EXPECT_EQ(manifest.value("packetsDropped", std::uint64_t{0}), refused);
}

TEST_F(RoomRecordingTest, AnExistingDirectoryIsRefused) {
  fs::create_directories(root_ / "recording");
  RecordingOptions options;
  options.directory = (root_ / "recording").string();
  auto made = RoomRecording::start(options, {});
  ASSERT_TRUE(std::holds_alternative<std::string>(made));
}

}  // namespace
}  // namespace parley::record
