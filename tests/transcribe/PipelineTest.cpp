// The engine on a recording, the whole way: real LibriSpeech readers taking turns in a WAV
// file, PocketSphinx, the voice detector and the diarizer.
#include "transcribe/Pipeline.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>

#include "transcribe/AudioFileReader.h"
#include "transcribe/PocketSphinxRecognizer.h"
#include "TestData.h"

namespace parley::transcribe {

// Two readers, three turns each: every word lands on the reader who said it, and the
// recognizer is handed back (freed) before diarization starts, as the command does to keep a
// long recording's peak memory down.
TEST(Pipeline, TranscribesTwoReadersAndFreesTheRecognizerBeforeDiarizing) {
  const std::string base = testdata::librispeech("");
  const char* turns[] = {"1688/1688-142285-0001.flac", "2609/2609-156975-0001.flac",
                         "1688/1688-142285-0002.flac", "2609/2609-156975-0002.flac",
                         "1688/1688-142285-0003.flac", "2609/2609-156975-0003.flac"};
  std::vector<float> audio(8000, 0.0f);
  std::vector<std::pair<double, double>> spans;  // each turn's start and end, readers alternating
  for (const char* turn : turns) {
    const auto samples = readWholeFile(base + turn);
    ASSERT_FALSE(samples.empty()) << turn;
    spans.push_back({audio.size() / 16000.0, (audio.size() + samples.size()) / 16000.0});
    audio.insert(audio.end(), samples.begin(), samples.end());
    audio.insert(audio.end(), 12000, 0.0f);
  }
  char path[] = "/tmp/parley-pipeline-XXXXXX.wav";
  const int fd = mkstemps(path, 4);
  ASSERT_GE(fd, 0);
  close(fd);
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  SNDFILE* file = sf_open(path, SFM_WRITE, &info);
  ASSERT_NE(file, nullptr);
  sf_writef_float(file, audio.data(), static_cast<sf_count_t>(audio.size()));
  sf_close(file);

  auto recognizer = std::make_unique<PocketSphinxRecognizer>();
  PipelineSettings settings;
  settings.recognizer = recognizer.get();
  settings.diarize = true;
  int handedBack = 0;
  settings.recognitionDone = [&] {
    ++handedBack;
    recognizer.reset();  // under AddressSanitizer, any later use of it would be caught
  };
  const auto result = transcribeFile(path, settings);
  std::remove(path);

  EXPECT_EQ(handedBack, 1);
  EXPECT_FALSE(result.error);
  const Transcript& t = result.transcript;
  EXPECT_NEAR(t.duration, audio.size() / 16000.0, 0.05);
  ASSERT_EQ(t.speakers.size(), 2u);
  std::size_t words = 0;
  std::map<int, std::string> speakerOfReader;  // reader 0 or 1, by turn parity
  for (const auto& segment : t.segments) {
    for (const auto& w : segment.words) {
      ++words;
      const double middle = (w.start + w.end) / 2;
      for (std::size_t i = 0; i < spans.size(); ++i) {
        if (middle < spans[i].first || middle > spans[i].second) continue;
        const auto [it, first] = speakerOfReader.emplace(static_cast<int>(i % 2), segment.speaker);
        EXPECT_EQ(it->second, segment.speaker) << "\"" << w.word << "\" at " << middle << " s";
      }
    }
  }
  EXPECT_GT(words, 60u);
  ASSERT_EQ(speakerOfReader.size(), 2u);
  EXPECT_NE(speakerOfReader[0], speakerOfReader[1]);
}

}  // namespace parley::transcribe
