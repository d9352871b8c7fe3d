// Features, speech detection, change detection and clustering on signals whose truth is known.
#include "transcribe/Diarizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "transcribe/Mfcc.h"
#include "transcribe/SpeechSegmenter.h"

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
  const auto turns = Diarizer().diarize(frames, speech);
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

}  // namespace parley::transcribe
