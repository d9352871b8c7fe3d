// Live transcription as the server runs it, without media sockets: Opus packets into a
// room's tap, a fake recognizer on the shared pool, segments posted to a "control thread"
// (a queue this test runs), rooms looked up by id when they arrive.
#include "meeting/TranscriptionService.h"

#include <gtest/gtest.h>
#include <opus.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <nlohmann/json.hpp>

#include "signaling/RoomRegistry.h"
#include "signaling/SignalingSession.h"
#include "store/SqliteRoomStore.h"

namespace parley::meeting {

namespace {

using nlohmann::json;

// One "word" per utterance, so segments are easy to count; no speech model needed.
class WordRecognizer : public transcribe::Recognizer {
 public:
  std::vector<transcribe::Word> recognize(std::span<const float> samples) override {
    return {{"word", 0.0, samples.size() / 16000.0, 1.0}};
  }
  std::string name() const override { return "word"; }
};

class Peer : public signaling::SignalingPeer {
 public:
  void send(std::string frame) override { frames.push_back(json::parse(frame)); }
  void close() override {}
  std::vector<json> frames;
};

// The control thread: posted tasks wait here until the test runs them.
struct ControlQueue {
  std::mutex mutex;
  std::vector<std::function<void()>> tasks;
  void post(std::function<void()> task) {
    std::lock_guard lock(mutex);
    tasks.push_back(std::move(task));
  }
  std::size_t run() {
    std::vector<std::function<void()>> now;
    {
      std::lock_guard lock(mutex);
      now.swap(tasks);
    }
    for (auto& task : now) task();
    return now.size();
  }
};

// Half a second of silence (the detector learns the floor), `seconds` of a loud tone, then
// `pause` seconds of silence, as 20 ms Opus packets into `tap`.
void speak(sfu::AudioTap& tap, const std::string& participant, double seconds, double pause = 0) {
  int error = 0;
  OpusEncoder* encoder = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &error);
  ASSERT_EQ(error, OPUS_OK);
  std::vector<float> frame(960);
  std::uint8_t packet[1500];
  std::uint32_t timestamp = 1000;
  for (int f = 0; f < (0.5 + seconds + pause) * 50; ++f) {
    const double amplitude = f >= 25 && f < (0.5 + seconds) * 50 ? 0.4 : 0.0;
    for (std::size_t i = 0; i < frame.size(); ++i) {
      frame[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * 220 * (f * 960 + i) / 48000.0));
    }
    const int length = opus_encode_float(encoder, frame.data(), 960, packet, sizeof packet);
    ASSERT_GT(length, 0);
    tap.onOpusPacket(participant, packet, static_cast<std::size_t>(length), timestamp);
    timestamp += 960;
  }
  opus_encoder_destroy(encoder);
}

class TranscriptionServiceTest : public ::testing::Test {
 protected:
  std::shared_ptr<transcribe::RecognizerPool> pool = std::make_shared<transcribe::RecognizerPool>(
      [] { return std::make_unique<WordRecognizer>(); }, transcribe::RecognizerPoolSettings{2, 16});
  store::SqliteRoomStore store{":memory:"};
  ControlQueue control;
  signaling::RoomRegistry* registry = nullptr;
  TranscriptionService service{nullptr, pool, [this](std::function<void()> task) { control.post(std::move(task)); },
                               [this](const std::string& room, std::int64_t id, const transcribe::LiveSegment& s) {
                                 if (registry) registry->deliverSegment(room, id, s);
                               },
                               {}, TranscriptionLimits{2, std::chrono::seconds(10)}};
  signaling::RoomRegistry rooms{store, nullptr, &service};
  void SetUp() override { registry = &rooms; }
  void TearDown() override {
    service.drain();
    control.run();
    registry = nullptr;
  }
};

}  // namespace

// The review's crash: someone leaves mid-sentence and the moderator stops transcription at
// once; the room is released, then the utterance's final segment arrives. It must be stored
// under the speaker's name, with no access to the room that is gone (ASan would catch one).
TEST_F(TranscriptionServiceTest, SegmentsAfterTheRoomIsGoneAreStoredByIdNotLost) {
  const auto created = rooms.create("Weekly");
  const std::string roomId = created.record.id;
  Peer anaPeer;
  std::string anaId;
  {
    signaling::SignalingSession ana(rooms, roomId, anaPeer);
    ana.onFrame(R"({"type":"join","version":1,"name":"Ana"})", 1000);
    anaId = ana.participantId();
    ASSERT_FALSE(anaId.empty());
    auto room = rooms.active(roomId);
    ASSERT_EQ(room->startTranscription(1000), signaling::Room::TranscriptionStart::Started);
    auto tap = service.tapOf(roomId);
    ASSERT_TRUE(tap);
    speak(*tap, anaId, 2.0);  // and no silence after it: mid-sentence
    ana.onClosed("closed", 2000);
  }  // Ana's connection is gone
  const auto transcriptionId = store.latestTranscription(roomId)->id;
  ASSERT_TRUE(rooms.active(roomId)->stopTranscription(2100));
  rooms.release(roomId);
  EXPECT_EQ(rooms.active(roomId), nullptr) << "an empty room that is not transcribed is released";

  service.drain();  // the utterance in progress is recognized now
  EXPECT_GT(control.run(), 0u) << "its segments were posted to the control thread";
  const auto segments = store.transcriptSegments(transcriptionId);
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].name, "Ana");
  EXPECT_EQ(segments[0].participantId, anaId);
  EXPECT_EQ(segments[0].text, "word");
}

// While the room is live, segments become captions for everyone and final ones are stored.
TEST_F(TranscriptionServiceTest, LiveRoomShowsCaptionsAndStoresFinalSegments) {
  const auto created = rooms.create("Weekly");
  Peer anaPeer, brunoPeer;
  signaling::SignalingSession ana(rooms, created.record.id, anaPeer), bruno(rooms, created.record.id, brunoPeer);
  ana.onFrame(R"({"type":"join","version":1,"name":"Ana"})", 1000);
  bruno.onFrame(R"({"type":"join","version":1,"name":"Bruno"})", 1000);
  auto room = rooms.active(created.record.id);
  ASSERT_EQ(room->startTranscription(1000), signaling::Room::TranscriptionStart::Started);
  speak(*service.tapOf(created.record.id), ana.participantId(), 1.5, 1.0);
  const auto finalCaption = [&]() -> const json* {
    for (const auto& f : brunoPeer.frames)
      if (f["type"] == "caption" && f["final"] == true) return &f;
    return nullptr;
  };
  // The utterance ended in the silence; its caption comes on the control thread.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!finalCaption() && std::chrono::steady_clock::now() < deadline) {
    if (control.run() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const json* caption = finalCaption();
  if (!caption) {
    for (const auto& f : brunoPeer.frames) std::printf("%s\n", f.dump().c_str());
  }
  ASSERT_NE(caption, nullptr) << "no final caption reached Bruno";
  EXPECT_EQ((*caption)["name"], "Ana");
  EXPECT_EQ((*caption)["participant"], ana.participantId());
  EXPECT_EQ((*caption)["text"], "word");
  const auto segments = store.transcriptSegments(store.latestTranscription(created.record.id)->id);
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].name, "Ana");
}

// The server-wide limit: a third room is refused while two are transcribed, and a stopped
// one frees its place.
TEST_F(TranscriptionServiceTest, AtMostTheConfiguredNumberOfRoomsAreTranscribed) {
  std::vector<std::shared_ptr<signaling::Room>> open;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(rooms.create("Room").record.id);
    open.push_back(rooms.open(ids.back()));
  }
  EXPECT_EQ(open[0]->startTranscription(1000), signaling::Room::TranscriptionStart::Started);
  EXPECT_EQ(open[1]->startTranscription(1000), signaling::Room::TranscriptionStart::Started);
  EXPECT_EQ(open[0]->startTranscription(1000), signaling::Room::TranscriptionStart::AlreadyRunning);
  EXPECT_EQ(open[2]->startTranscription(1000), signaling::Room::TranscriptionStart::ServerFull);
  EXPECT_FALSE(open[2]->transcribing());
  EXPECT_FALSE(store.latestTranscription(ids[2])) << "a refused start leaves no transcription behind";
  ASSERT_TRUE(open[0]->stopTranscription(2000));
  EXPECT_EQ(open[2]->startTranscription(2000), signaling::Room::TranscriptionStart::Started);
}

// Nobody joins a transcribed room, or everyone left: it stops by itself after the timeout,
// and the room is released.
TEST_F(TranscriptionServiceTest, AnEmptyRoomStopsBeingTranscribedAfterTheTimeout) {
  rooms.setEmptyRoomTimeout(60000);
  const std::string id = rooms.create("Room").record.id;
  const std::int64_t start = 1'000'000;
  ASSERT_EQ(rooms.open(id)->startTranscription(start), signaling::Room::TranscriptionStart::Started);
  const std::int64_t opened = rooms.active(id)->emptySince();
  rooms.sweep(opened + 59000);
  ASSERT_NE(rooms.active(id), nullptr);
  EXPECT_TRUE(rooms.active(id)->transcribing());
  rooms.sweep(opened + 61000);
  EXPECT_EQ(rooms.active(id), nullptr);
  EXPECT_FALSE(service.transcribing(id));
  EXPECT_TRUE(store.latestTranscription(id)->stoppedAt.has_value());
}

}  // namespace parley::meeting
