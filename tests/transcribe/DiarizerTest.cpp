// Features, speech detection, change detection and clustering on signals whose truth is known.
#include "transcribe/Diarizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "transcribe/AudioFileReader.h"
#include "transcribe/Mfcc.h"
#include "transcribe/SpeechSegmenter.h"
#include "transcribe/VoiceDetector.h"
#include "TestData.h"

namespace parley::transcribe {

namespace {

// Synthetic "speakers": Gaussian feature clouds around different means.
std::vector<MfccFrame> speakerFrames(int speaker, std::size_t count, std::mt19937& rng) {
  std::normal_distribution<float> noise(0, 1);
  std::vector<MfccFrame> frames(count);
  for (auto& f : frames) {
    // Each speaker's voice stands out in a different third of the coefficients.
    for (int i = 0; i < kCepstra; ++i) f[i] = noise(rng) + (i % 3 == speaker ? 2.5f : 0.0f);
  }
  return frames;
}

std::vector<float> tone(double seconds, double frequency, double amplitude) {
  std::vector<float> s(static_cast<std::size_t>(seconds * 16000));
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * frequency * i / 16000.0));
  return s;
}

}  // namespace

TEST(Mfcc, GivesOneFramePer10MsAndTellsSoundsApart) {
  MfccExtractor extractor;
  std::vector<MfccFrame> low, high;
  extractor.feed(tone(1.0, 300, 0.5), low);
  EXPECT_EQ(low.size(), (16000u - 400) / 160 + 1);
  MfccExtractor other;
  other.feed(tone(1.0, 3000, 0.5), high);
  double distance = 0;
  for (int i = 0; i < kCepstra; ++i) distance += std::fabs(low[50][i] - high[50][i]);
  EXPECT_GT(distance, 5.0);
  // Streaming in pieces gives the same frames as at once.
  MfccExtractor pieces;
  std::vector<MfccFrame> split;
  const auto signal = tone(1.0, 300, 0.5);
  pieces.feed(std::span(signal).first(7000), split);
  pieces.feed(std::span(signal).subspan(7000), split);
  ASSERT_EQ(split.size(), low.size());
  EXPECT_NEAR(split[60][3], low[60][3], 1e-3);
}

// What the diarizer counts as speech: the utterance's loud parts and a little around them,
// not its padding, hangover or a long quiet pause inside it.
TEST(SpeechSegmenter, TightensUtterancesToTheirLoudParts) {
  // One utterance of 100 frames: quiet padding (10), loud (30), a quiet pause (30), loud
  // (20), quiet hangover (10); then silence, then an utterance that is loud throughout.
  std::vector<std::uint8_t> decisions(100, 1);
  std::vector<float> levels(100, -70.0f);
  for (int t = 10; t < 40; ++t) levels[t] = -20.0f;
  for (int t = 70; t < 90; ++t) levels[t] = -25.0f;
  decisions.insert(decisions.end(), 20, 0);
  levels.insert(levels.end(), 20, -90.0f);
  decisions.insert(decisions.end(), 10, 1);
  levels.insert(levels.end(), 10, -80.0f);  // quiet in absolute terms, loud for itself
  const auto tight = tightenSpeech(decisions, levels, 5, 35);
  ASSERT_EQ(tight.size(), decisions.size());
  const auto count = [&](int from, int to) {
    int n = 0;
    for (int t = from; t < to; ++t) n += tight[static_cast<std::size_t>(t)];
    return n;
  };
  EXPECT_EQ(count(0, 5), 0);     // padding, beyond reach
  EXPECT_EQ(count(5, 45), 40);   // the loud part and 5 frames either side
  EXPECT_EQ(count(45, 65), 0);   // the inner pause
  EXPECT_EQ(count(65, 95), 30);
  EXPECT_EQ(count(95, 120), 0);  // hangover and silence
  EXPECT_EQ(count(120, 130), 10);
  EXPECT_EQ(tightenSpeech(decisions, levels, 0, 35), decisions);  // reach 0: unchanged
}

TEST(SpeechSegmenter, FindsTheUtteranceInSilence) {
  std::vector<SpeechSegment> found;
  SpeechSegmenter segmenter([&](SpeechSegment&& s) { found.push_back(std::move(s)); });
  std::mt19937 rng(1);
  std::normal_distribution<float> hiss(0, 0.001f);
  std::vector<float> audio(16000 * 4);
  for (auto& s : audio) s = hiss(rng);
  const auto voice = tone(1.5, 220, 0.3);
  for (std::size_t i = 0; i < voice.size(); ++i) audio[16000 + i] += voice[i];
  segmenter.feed(audio);
  segmenter.finish();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(found[0].start, 1.0, 0.2);
  EXPECT_NEAR(found[0].end, 2.5, 0.2);
  EXPECT_NEAR(found[0].samples.size() / 16000.0, found[0].end - found[0].start, 0.02);

  std::vector<SpeechSegment> none;
  SpeechSegmenter quiet([&](SpeechSegment&& s) { none.push_back(std::move(s)); });
  std::vector<float> silence(16000 * 3, 0.0f);
  quiet.feed(silence);
  quiet.finish();
  EXPECT_TRUE(none.empty());
}

TEST(Diarizer, DeltaBicSeparatesDifferentSpeakers) {
  std::mt19937 rng(7);
  const auto a = speakerFrames(0, 300, rng);
  const auto a2 = speakerFrames(0, 300, rng);
  const auto b = speakerFrames(1, 300, rng);
  EXPECT_GT(deltaBic(a, b, 1.0), 0);
  EXPECT_LT(deltaBic(a, a2, 1.0), 0);
}

TEST(Diarizer, DetectsTheChangeBetweenTwoSpeakers) {
  std::mt19937 rng(3);
  auto frames = speakerFrames(0, 500, rng);
  const auto other = speakerFrames(1, 500, rng);
  frames.insert(frames.end(), other.begin(), other.end());
  const auto changes = Diarizer().detectChanges(frames, 0, frames.size());
  ASSERT_FALSE(changes.empty());
  bool near = false;
  for (auto c : changes) near = near || (c > 470 && c < 530);
  EXPECT_TRUE(near);
}

TEST(Diarizer, ClustersTurnsByVoiceAndCountsSpeakers) {
  std::mt19937 rng(11);
  std::vector<MfccFrame> frames;
  std::vector<std::uint8_t> speech;
  const int pattern[] = {0, 1, 0, 2, 1, 2, 0};
  for (int speaker : pattern) {
    const auto turn = speakerFrames(speaker, 400, rng);
    frames.insert(frames.end(), turn.begin(), turn.end());
    speech.insert(speech.end(), 400, 1);
    frames.insert(frames.end(), 50, MfccFrame{});
    speech.insert(speech.end(), 50, 0);
  }
  // The first stage alone (BIC clustering and its count): the second opinion compares
  // adapted mixtures of real speech, which these single-Gaussian voices are not (next test).
  DiarizationSettings firstStage;
  firstStage.mergeThreshold = 1e300;
  const auto turns = Diarizer(firstStage).diarize(frames, speech);
  int speakers = 0;
  for (const auto& t : turns) speakers = std::max(speakers, t.speaker + 1);
  EXPECT_EQ(speakers, 3);
  // Each true turn is mostly one label, and equal speakers share it.
  std::vector<int> label(std::size(pattern), -1);
  for (std::size_t k = 0; k < std::size(pattern); ++k) {
    const double middle = (k * 450 + 200) / 100.0;
    for (const auto& t : turns)
      if (t.start <= middle && middle < t.end) label[k] = t.speaker;
  }
  EXPECT_EQ(label[0], label[2]);
  EXPECT_EQ(label[0], label[6]);
  EXPECT_EQ(label[1], label[4]);
  EXPECT_EQ(label[3], label[5]);
  EXPECT_NE(label[0], label[1]);
  EXPECT_NE(label[1], label[3]);

  const auto forced = Diarizer().diarize(frames, speech, 2);
  int two = 0;
  for (const auto& t : forced) two = std::max(two, t.speaker + 1);
  EXPECT_EQ(two, 2);
  EXPECT_TRUE(Diarizer().diarize(frames, std::vector<std::uint8_t>(frames.size(), 0)).empty());
}

// On a real meeting clip (AMI, pyannote's dev01), the energy detector takes several seconds
// of non-speech for speech (noise around 20 dB under the voices, 20 dB over the room's
// floor); WebRTC's detector hears most of it as not voice and most of the speech as voice.
// The case that made the diarizer ask both.
TEST(VoiceDetector, HearsTheVoicesOfAMeetingButLittleOfItsNoise) {
  const std::string clips = testdata::evaluation("diarization/pyannote/");
  PARLEY_REQUIRE_EVALUATION_DATA(clips + "dev01.wav");
  const auto audio = readWholeFile(clips + "dev01.wav");
  ASSERT_GT(audio.size(), 29u * 16000);
  std::vector<std::uint8_t> reference(audio.size() / 160, 0);
  std::FILE* rttm = std::fopen((clips + "debug.development.rttm").c_str(), "r");
  ASSERT_NE(rttm, nullptr);
  char file[64];
  double start = 0, duration = 0;
  while (std::fscanf(rttm, "SPEAKER %63s 1 %lf %lf %*[^\n]\n", file, &start, &duration) == 3) {
    if (std::string(file) != "dev01") continue;
    const auto to = std::min(reference.size(), static_cast<std::size_t>((start + duration) * 100));
    for (auto t = static_cast<std::size_t>(start * 100); t < to; ++t) reference[t] = 1;
  }
  std::fclose(rttm);

  SpeechSegmenter segmenter([](SpeechSegment&&) {});
  segmenter.feed(audio);
  segmenter.finish();
  const DiarizationSettings settings;
  const auto energy = tightenSpeech(segmenter.frameDecisions(), segmenter.frameLevels(), settings.speechReachFrames,
                                    settings.speechBelowPeakDb);
  VoiceDetector detector;
  // Fed in odd pieces: one decision per whole 10 ms frame whatever the chunking.
  for (std::size_t at = 0; at < audio.size(); at += 1234)
    detector.feed(std::span(audio).subspan(at, std::min<std::size_t>(1234, audio.size() - at)));
  const auto& heard = detector.decisions();
  ASSERT_EQ(heard.size(), reference.size());
  const auto kept = keepVoiced(energy, heard, settings.voiceReachFrames);

  // Seconds the energy detector calls speech, split by the reference, and what WebRTC keeps.
  double noise = 0, noiseHeard = 0, noiseKept = 0, speech = 0, speechHeard = 0, speechKept = 0;
  for (std::size_t t = 0; t < reference.size(); ++t) {
    if (!energy[t]) continue;
    (reference[t] ? speech : noise) += 0.01;
    (reference[t] ? speechHeard : noiseHeard) += heard[t] * 0.01;
    (reference[t] ? speechKept : noiseKept) += kept[t] * 0.01;
  }
  std::printf("energy detector: %.2f s speech, %.2f s noise; WebRTC hears %.2f s and %.2f s; kept %.2f s and %.2f s\n",
              speech, noise, speechHeard, noiseHeard, speechKept, noiseKept);
  EXPECT_GT(noise, 4.0) << "the clip no longer shows the energy detector's weakness";
  EXPECT_LT(noiseHeard, 0.15 * noise);
  EXPECT_GT(speechHeard, 0.6 * speech);
  EXPECT_LT(noiseKept, 0.4 * noise);
  EXPECT_GT(speechKept, 0.9 * speech);
}

TEST(VoiceDetector, KeepsSpeechOnlyNearVoice) {
  const std::vector<std::uint8_t> speech{1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1};
  const std::vector<std::uint8_t> voice{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  const std::vector<std::uint8_t> expected{0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0};
  EXPECT_EQ(keepVoiced(speech, voice, 2), expected);
  EXPECT_EQ(keepVoiced(speech, std::vector<std::uint8_t>(11, 0), 5), std::vector<std::uint8_t>(11, 0));
  // A voice decision list shorter than the speech (the stream's last partial frame) is fine.
  EXPECT_EQ(keepVoiced(speech, std::vector<std::uint8_t>(3, 1), 0).size(), speech.size());
}

// Real voices, the whole way: three LibriSpeech readers taking thirty turns (five minutes),
// through the speech detector, MFCCs and the diarizer with its defaults (automatic count,
// the second opinion of adapted mixtures, speech tightened to the loud parts).
TEST(Diarizer, FindsThreeRealReadersAndTheirTurns) {
  const std::string base = testdata::evaluation("speakers/librispeech_test-other/");
  PARLEY_REQUIRE_EVALUATION_DATA(base + "367");
  const struct {
    const char* speaker;
    const char* chapter;
  } readers[] = {{"1688", "142285"}, {"2609", "156975"}, {"367", "130732"}};
  std::vector<float> audio;
  std::vector<std::pair<double, int>> middles;  // the middle of each turn, and who spoke
  for (int round = 0; round < 10; ++round) {
    for (int r = 0; r < 3; ++r) {
      char name[96];
      std::snprintf(name, sizeof name, "%s/%s-%s-%04d.flac", readers[r].speaker, readers[r].speaker,
                    readers[r].chapter, round);
      const auto turn = readWholeFile(base + name);
      ASSERT_FALSE(turn.empty()) << name;
      middles.push_back({(static_cast<double>(audio.size()) + turn.size() / 2.0) / 16000.0, r});
      audio.insert(audio.end(), turn.begin(), turn.end());
      audio.insert(audio.end(), 12000, 0.0f);  // 0.75 s between turns
    }
  }
  SpeechSegmenter segmenter([](SpeechSegment&&) {});
  MfccExtractor mfcc;
  std::vector<MfccFrame> features;
  segmenter.feed(audio);
  segmenter.finish();
  mfcc.feed(audio, features);
  const DiarizationSettings settings;
  const auto speech = tightenSpeech(segmenter.frameDecisions(), segmenter.frameLevels(), settings.speechReachFrames,
                                    settings.speechBelowPeakDb);
  const auto turns = Diarizer(settings).diarize(features, speech);
  int speakers = 0;
  for (const auto& t : turns) speakers = std::max(speakers, t.speaker + 1);
  EXPECT_EQ(speakers, 3);
  // Each turn's middle carries the label of its reader, the same every round.
  std::map<int, int> labelOfReader;
  for (const auto& [middle, reader] : middles) {
    int label = -1;
    for (const auto& t : turns)
      if (t.start <= middle + 0.5 && middle - 0.5 < t.end) label = t.speaker;
    ASSERT_GE(label, 0) << "no speech found at " << middle << " s";
    const auto [it, first] = labelOfReader.emplace(reader, label);
    EXPECT_EQ(it->second, label) << "reader " << reader << " at " << middle << " s";
  }
  EXPECT_EQ(labelOfReader.size(), 3u);
  std::set<int> distinct;
  for (const auto& [reader, label] : labelOfReader) distinct.insert(label);
  EXPECT_EQ(distinct.size(), 3u) << "two readers got one label";
}

}  // namespace parley::transcribe
