// The live, per-track side of the engine: utterances found per track, recognized off the
// caller's thread, attributed to their track, with the bleed rule and a bounded queue.
#include "transcribe/LiveTranscription.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>

#include "transcribe/AudioFileReader.h"
#include "transcribe/PocketSphinxRecognizer.h"
#include "transcribe/TrackVoices.h"
#include "TestData.h"

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
  std::condition_variable arrived;
  std::vector<LiveSegment> segments;
  LiveTranscription::Sink sink() {
    return [this](LiveSegment&& s) {
      std::lock_guard lock(mutex);
      segments.push_back(std::move(s));
      arrived.notify_all();
    };
  }
  // Waits (for a generous while: threads, not wall-clock goals) until `count` segments
  // satisfy `match`.
  template <typename Match>
  bool await(Match match, std::size_t count = 1) {
    std::unique_lock lock(mutex);
    return arrived.wait_for(lock, std::chrono::seconds(20), [&] {
      return static_cast<std::size_t>(std::count_if(segments.begin(), segments.end(), match)) >= count;
    });
  }
};

// Decodes as it is fed, like PocketSphinx: its partial text says how much it has heard.
class StreamingToneRecognizer : public ToneRecognizer {
 public:
  void beginUtterance(const std::string&) override { heard_.clear(); }
  void feed(std::span<const float> samples) override { heard_.insert(heard_.end(), samples.begin(), samples.end()); }
  std::string partialText() override { return "heard " + std::to_string(heard_.size() / 1600); }
  std::vector<Word> endUtterance() override { return recognize(heard_); }

 private:
  std::vector<float> heard_;
};

// Speech-like loudness: syllables of a tone, 80 to 300 ms each, with short gaps, in an
// order fixed by `seed`, so two "people" have different contours.
std::vector<float> syllables(double seconds, double amplitude, unsigned seed) {
  std::vector<float> s(static_cast<std::size_t>(seconds * 16000), 0.0f);
  std::size_t i = 0;
  while (i < s.size()) {
    seed = seed * 1103515245 + 12345;
    const std::size_t length = 1280 + (seed >> 8) % 3520;
    const double gain = 0.3 + 0.7 * ((seed >> 4) % 100) / 100.0;
    for (std::size_t k = 0; k < length && i < s.size(); ++k, ++i)
      s[i] = static_cast<float>(amplitude * gain * std::sin(2 * M_PI * 220 * i / 16000.0));
    i += 480 + (seed >> 12) % 1600;  // a gap of 30 to 130 ms
  }
  return s;
}

// The sketch of an utterance of `audio` heard from `start`.
UtteranceSketch sketch(const std::string& track, double start, const std::vector<float>& audio) {
  UtteranceSketch u;
  u.track = track;
  u.start = start;
  u.end = start + audio.size() / 16000.0;
  double energy = 0;
  for (float v : audio) energy += double(v) * v;
  u.levelDb = 10 * std::log10(energy / audio.size() + 1e-12);
  for (std::size_t i = 0; i + 160 <= audio.size(); i += 160) u.envelope.push_back(frameLevelDb(audio.data() + i));
  return u;
}

std::vector<float> scaled(std::vector<float> audio, double gain) {
  for (auto& v : audio) v = static_cast<float>(v * gain);
  return audio;
}

}  // namespace

TEST(BleedRule, DropsTheQuieterCopyOfALeakedVoiceOnly) {
  const auto ana = syllables(2.0, 0.5, 1);
  const auto anaSketch = sketch("ana", 1.0, ana);
  // A loudspeaker in Bruno's room leaks Ana's voice into his microphone, 20 dB down and
  // 150 ms later: his copy is the leak, not her original.
  const auto copy = sketch("bruno", 1.15, scaled(ana, 0.1));
  EXPECT_TRUE(leaked(copy, anaSketch, {}));
  EXPECT_FALSE(leaked(anaSketch, copy, {}));
  // Carla, later and alone, is nobody's leak.
  EXPECT_FALSE(leaked(sketch("carla", 5.0, syllables(1.0, 0.05, 3)), anaSketch, {}));
  // Bruno talking over Ana, much more quietly, keeps his words: his contour is his own.
  EXPECT_FALSE(leaked(sketch("bruno", 1.1, syllables(2.0, 0.05, 2)), anaSketch, {}));
  // A short overlap with a loud neighbour is not bleed.
  EXPECT_FALSE(leaked(sketch("ana", 1.0, scaled(syllables(4.0, 0.5, 4), 0.1)), sketch("bruno", 4.8, syllables(2.2, 0.5, 4)), {}));
  // Nor is one's own voice on one's own track.
  EXPECT_FALSE(leaked(sketch("ana", 1.15, scaled(ana, 0.1)), anaSketch, {}));
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
  // Bruno's microphone picks up Ana's loudspeaker: only Ana keeps the words, and any partial
  // caption shown under Bruno's name meanwhile is withdrawn (an empty final).
  Collected collected;
  LiveTranscription live([] { return std::make_unique<StreamingToneRecognizer>(); }, collected.sink());
  std::vector<float> loud = silence(1.0), faint = silence(1.0);
  auto a = syllables(2.0, 0.5, 1), b = scaled(a, 0.04), rest = silence(2.0);
  loud.insert(loud.end(), a.begin(), a.end());
  faint.insert(faint.end(), b.begin(), b.end());
  loud.insert(loud.end(), rest.begin(), rest.end());
  faint.insert(faint.end(), rest.begin(), rest.end());
  for (std::size_t i = 0; i < loud.size(); i += 320) {
    live.push("ana", i / 16000.0, {loud.data() + i, 320});
    live.push("bruno", i / 16000.0, {faint.data() + i, 320});
  }
  live.flush();
  EXPECT_EQ(live.bleedDropped(), 1u);
  std::lock_guard lock(collected.mutex);
  bool brunoPartial = false, brunoWithdrawn = false, anaFinal = false;
  for (const auto& s : collected.segments) {
    if (s.track == "ana") anaFinal = anaFinal || (!s.partial && s.text == "loud");
    else if (s.partial) brunoPartial = true;
    else if (s.text.empty()) brunoWithdrawn = true;
    else ADD_FAILURE() << "Bruno got the leaked words: " << s.text;
  }
  EXPECT_TRUE(anaFinal);
  EXPECT_EQ(brunoPartial, brunoWithdrawn) << "a partial line shown for the leak must be taken back";
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

TEST(LiveTranscription, ShowsPartialWordsWhileSomeoneIsStillTalking) {
  Collected collected;
  LiveTranscription live([] { return std::make_unique<StreamingToneRecognizer>(); }, collected.sink());
  feed(live, "ana", 0, silence(0.5));
  feed(live, "ana", 0.5, tone(2.0, 0.5));
  // Ana is still talking: nothing has ended her utterance, yet its words so far arrive.
  ASSERT_TRUE(collected.await([](const LiveSegment& s) { return s.partial; }));
  {
    std::lock_guard lock(collected.mutex);
    for (const auto& s : collected.segments) {
      EXPECT_TRUE(s.partial);
      EXPECT_EQ(s.track, "ana");
      EXPECT_EQ(s.text.rfind("heard ", 0), 0u);
      EXPECT_NEAR(s.start, 0.5, 0.25);
    }
  }
  feed(live, "ana", 2.5, silence(1.5));
  ASSERT_TRUE(collected.await([](const LiveSegment& s) { return !s.partial; }));
  std::lock_guard lock(collected.mutex);
  EXPECT_EQ(collected.segments.back().text, "loud");
  EXPECT_FALSE(collected.segments.back().partial);
}

TEST(LiveTranscription, EndsTheUtteranceOfATrackThatFellSilent) {
  // Ana leaves mid-sentence: no more audio comes, only the clock moves on.
  Collected collected;
  LiveTranscription live([] { return std::make_unique<StreamingToneRecognizer>(); }, collected.sink());
  feed(live, "ana", 0, silence(0.5));
  feed(live, "ana", 0.5, tone(1.5, 0.5));
  for (double now = 2.0; now < 4.0; now += 0.05) live.advance(now);
  ASSERT_TRUE(collected.await([](const LiveSegment& s) { return !s.partial; }));
  std::lock_guard lock(collected.mutex);
  EXPECT_EQ(collected.segments.back().text, "loud");
  EXPECT_NEAR(collected.segments.back().start, 0.5, 0.25);
}

// Word error rate by edit distance, in percent.
double wordErrorRate(const std::string& reference, const std::string& hypothesis) {
  const auto split = [](const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text + " ") {
      if (c == ' ') {
        if (!word.empty()) out.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    }
    return out;
  };
  const auto r = split(reference), h = split(hypothesis);
  std::vector<std::size_t> previous(h.size() + 1), row(h.size() + 1);
  for (std::size_t j = 0; j <= h.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= r.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= h.size(); ++j)
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1)});
    previous = row;
  }
  return 100.0 * static_cast<double>(previous[h.size()]) / static_cast<double>(r.size());
}

// The real recognizer, streamed as in a call: two people, 20 ms packets, each track with
// its own channel, the final words stay close to the reference. (Fed faster than real time,
// so no partial lines: the test above covers them.)
TEST(LiveTranscription, StreamsRealSpeechThroughPocketSphinx) {
  const std::string librivox = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0";
  std::vector<float> ana = silence(0.5), bruno = silence(0.5);
  for (const char* id : {"870", "880", "890", "920", "930"}) {
    auto utterance = readWholeFile(librivox + id + ".wav");
    ana.insert(ana.end(), utterance.begin(), utterance.end());
    auto pause = silence(1.0);
    ana.insert(ana.end(), pause.begin(), pause.end());
  }
  // Bruno answers once Ana is done (talking over her, louder, would be taken for a leak).
  auto jfk = readWholeFile(testdata::speech("jfk.wav"));
  bruno.resize(ana.size(), 0.0f);
  bruno.insert(bruno.end(), jfk.begin(), jfk.end());
  ana.resize(bruno.size() + 16000, 0.0f);
  bruno.resize(ana.size(), 0.0f);
  Collected collected;
  {
    auto channels = std::make_shared<SpeakerChannels>();
    LiveTranscription live([channels] { return std::make_unique<PocketSphinxRecognizer>(PocketSphinxSettings{}, channels); },
                           collected.sink());
    for (std::size_t i = 0; i + 320 <= ana.size(); i += 320) {
      live.push("ana", i / 16000.0, {ana.data() + i, 320});
      live.push("bruno", i / 16000.0, {bruno.data() + i, 320});
    }
    live.flush();
  }
  std::string anaText, brunoText;
  std::size_t partials = 0;
  auto& segments = collected.segments;  // two recognizers deliver out of order
  std::sort(segments.begin(), segments.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  for (const auto& s : segments) {
    if (s.partial) {
      ++partials;
      continue;
    }
    (s.track == "ana" ? anaText : brunoText) += s.text + " ";
  }
  const double anaWer = wordErrorRate(
      "and mister john dashwood had then leisure to consider how much there might be prudently in his power to do for "
      "them he was not an ill disposed young man unless to be rather cold hearted and rather selfish is to be ill "
      "disposed had he married a more a amiable woman he might have been made still more respectable than he was he "
      "might even have been made amiable himself",
      anaText);
  const double brunoWer = wordErrorRate(
      "and so my fellow americans ask not what your country can do for you ask what you can do for your country",
      brunoText);
  std::printf("streamed WER: ana %.1f%% (%s)\n  bruno %.1f%% (%s)\n  %zu partial lines\n", anaWer, anaText.c_str(),
              brunoWer, brunoText.c_str(), partials);
  // Whole utterances at once give 29.6% on Ana's recordings; streaming must not be far off.
  EXPECT_LE(anaWer, 40.0);
  EXPECT_LE(brunoWer, 40.0);
}

// A microphone shared by two people: LibriSpeech readers taking turns on one track.
TEST(TrackVoices, TellsApartTwoPeopleSharingAMicrophone) {
  const std::string base = testdata::librispeech("");
  const auto first = [&](const std::string& speaker, const std::string& chapter, int n) {
    char name[64];
    std::snprintf(name, sizeof name, "%s-%s-%04d.flac", speaker.c_str(), chapter.c_str(), n);
    return readWholeFile(base + speaker + "/" + name);
  };
  TrackVoices voices;
  std::vector<int> got;
  for (int turn = 0; turn < 3; ++turn) {
    got.push_back(voices.add(first("1688", "142285", turn)));
    got.push_back(voices.add(first("2609", "156975", turn)));
  }
  EXPECT_EQ(got, (std::vector<int>{1, 2, 1, 2, 1, 2}));
  // Three people around one device.
  TrackVoices three;
  got.clear();
  for (int turn = 0; turn < 3; ++turn) {
    got.push_back(three.add(first("1998", "15444", turn)));
    got.push_back(three.add(first("3331", "159605", turn)));
    got.push_back(three.add(first("2609", "156975", turn)));
  }
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 1, 2, 3, 1, 2, 3}));
  // One person alone on a microphone stays one voice.
  TrackVoices alone;
  for (int turn = 0; turn < 6; ++turn) EXPECT_EQ(alone.add(first("3331", "159605", turn)), 1) << "turn " << turn;
}

}  // namespace parley::transcribe
