// The live, per-track side of the engine: utterances found per track, recognized off the
// caller's thread, attributed to their track, with the bleed rule and a bounded queue.
#include "transcribe/LiveTranscription.h"

#include <gtest/gtest.h>

#include <cmath>
#include <mutex>

namespace parley::transcribe {

namespace {

// Stands in for a recognizer by reporting what it heard: one "word" per utterance, named
// by the tone's loudness, so the test can tell tracks apart without a speech model.
class ToneRecognizer : public Recognizer {
 public:
  std::vector<Word> recognize(std::span<const float> samples) override {
    double peak = 0;
    for (float s : samples) peak = std::max(peak, double(std::fabs(s)));
    return {{peak > 0.2 ? "loud" : "soft", 0.0, samples.size() / 16000.0, 1.0}};
  }
  std::string name() const override { return "tone"; }
};

std::vector<float> tone(double seconds, double amplitude) {
  std::vector<float> s(static_cast<std::size_t>(seconds * 16000));
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * 220 * i / 16000.0));
  return s;
}

std::vector<float> silence(double seconds) { return std::vector<float>(static_cast<std::size_t>(seconds * 16000), 0.0f); }

// Feeds `track` 20 ms at a time from time `at`, as the decoder does.
void feed(LiveTranscription& live, const std::string& track, double at, const std::vector<float>& audio) {
  for (std::size_t i = 0; i < audio.size(); i += 320) {
    const std::size_t n = std::min<std::size_t>(320, audio.size() - i);
    live.push(track, at + i / 16000.0, {audio.data() + i, n});
  }
}

// Segments as the recognition threads deliver them.
struct Collected {
  std::mutex mutex;
  std::vector<LiveSegment> segments;
  LiveTranscription::Sink sink() {
    return [this](LiveSegment&& s) {
      std::lock_guard lock(mutex);
      segments.push_back(std::move(s));
    };
  }
};

PendingUtterance utterance(const std::string& track, double start, double end, double level) {
  PendingUtterance u;
  u.track = track;
  u.segment.start = start;
  u.segment.end = end;
  u.levelDb = level;
  return u;
}

}  // namespace

TEST(BleedRule, TheLouderTrackKeepsTheWords) {
  // A loudspeaker in Bruno's room leaks Ana's voice into his microphone, 20 dB down.
  std::vector<PendingUtterance> u = {utterance("ana", 1.0, 3.0, -20), utterance("bruno", 1.1, 3.1, -40),
                                     utterance("carla", 5.0, 6.0, -45)};
  EXPECT_EQ(bleedVictims(u, 6.0), std::vector<std::size_t>{1});
  // Two people talking over each other at similar levels both keep their words.
  std::vector<PendingUtterance> both = {utterance("ana", 1.0, 3.0, -20), utterance("bruno", 1.5, 3.5, -23)};
  EXPECT_TRUE(bleedVictims(both, 6.0).empty());
  // A short overlap with a loud neighbour is not bleed.
  std::vector<PendingUtterance> brief = {utterance("ana", 1.0, 5.0, -40), utterance("bruno", 4.8, 7.0, -20)};
  EXPECT_TRUE(bleedVictims(brief, 6.0).empty());
}

TEST(LiveTranscription, AttributesEachUtteranceToItsTrackAtItsTime) {
  Collected collected;
  auto& segments = collected.segments;
  {
    LiveTranscription live([] { return std::make_unique<ToneRecognizer>(); }, collected.sink());
    std::vector<float> ana = silence(1.0);
    auto speech = tone(1.5, 0.5);
    ana.insert(ana.end(), speech.begin(), speech.end());
    auto rest = silence(3.0);
    ana.insert(ana.end(), rest.begin(), rest.end());
    std::vector<float> bruno = silence(3.0);
    auto his = tone(1.0, 0.1);
    bruno.insert(bruno.end(), his.begin(), his.end());
    bruno.insert(bruno.end(), rest.begin(), rest.end());
    // Interleaved as packets arrive; Bruno's track starts 0.5 s into the transcription.
    for (std::size_t i = 0; i < ana.size(); i += 320) {
      live.push("ana", i / 16000.0, {ana.data() + i, std::min<std::size_t>(320, ana.size() - i)});
      if (i < bruno.size())
        live.push("bruno", 0.5 + i / 16000.0, {bruno.data() + i, std::min<std::size_t>(320, bruno.size() - i)});
    }
    live.flush();
    EXPECT_EQ(live.droppedUtterances(), 0u);
  }
  ASSERT_EQ(segments.size(), 2u);
  std::sort(segments.begin(), segments.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  EXPECT_EQ(segments[0].track, "ana");
  EXPECT_EQ(segments[0].text, "loud");
  EXPECT_NEAR(segments[0].start, 1.0, 0.25);
  EXPECT_EQ(segments[1].track, "bruno");
  EXPECT_EQ(segments[1].text, "soft");
  EXPECT_NEAR(segments[1].start, 3.5, 0.25);
}

TEST(LiveTranscription, DropsTheQuieterCopyOfALeakedVoice) {
  Collected collected;
  auto& segments = collected.segments;
  LiveTranscription live([] { return std::make_unique<ToneRecognizer>(); }, collected.sink());
  std::vector<float> loud = silence(1.0), faint = silence(1.0);
  auto a = tone(2.0, 0.5), b = tone(2.0, 0.02);
  loud.insert(loud.end(), a.begin(), a.end());
  faint.insert(faint.end(), b.begin(), b.end());
  auto rest = silence(2.0);
  loud.insert(loud.end(), rest.begin(), rest.end());
  faint.insert(faint.end(), rest.begin(), rest.end());
  for (std::size_t i = 0; i < loud.size(); i += 320) {
    live.push("ana", i / 16000.0, {loud.data() + i, 320});
    live.push("bruno", i / 16000.0, {faint.data() + i, 320});
  }
  live.flush();
  ASSERT_EQ(segments.size(), 1u);
  EXPECT_EQ(segments[0].track, "ana");
  EXPECT_EQ(live.bleedDropped(), 1u);
}

TEST(LiveTranscription, KeepsItsQueueBoundedWhenRecognitionFallsBehind) {
  std::mutex gate;
  gate.lock();  // the recognizer blocks until the test lets it go
  class Slow : public Recognizer {
   public:
    explicit Slow(std::mutex& m) : m_(m) {}
    std::vector<Word> recognize(std::span<const float>) override {
      std::lock_guard lock(m_);
      return {{"x", 0, 0.1, 1}};
    }
    std::string name() const override { return "slow"; }
    std::mutex& m_;
  };
  LiveSettings settings;
  settings.threads = 1;
  settings.maxQueued = 2;
  LiveTranscription live([&] { return std::make_unique<Slow>(gate); }, [](LiveSegment&&) {}, settings);
  std::vector<float> talk;
  for (int k = 0; k < 8; ++k) {
    auto s = tone(0.6, 0.5), q = silence(0.8);
    talk.insert(talk.end(), s.begin(), s.end());
    talk.insert(talk.end(), q.begin(), q.end());
  }
  feed(live, "ana", 0, talk);
  EXPECT_GE(live.droppedUtterances(), 4u) << "one in recognition, two queued, the rest dropped";
  gate.unlock();
  live.flush();
}

}  // namespace parley::transcribe
