// Recognition: the embedded PocketSphinx on real speech, and our side of the contract with an
// OpenAI-compatible server (a fake one here: no Whisper server can run on this machine).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>

#include <sndfile.h>

#include "transcribe/AudioFileReader.h"
#include "transcribe/OpenAiRecognizer.h"
#include "transcribe/PocketSphinxRecognizer.h"
#include "FakeHttpServer.h"
#include "TestData.h"

namespace parley::transcribe {

namespace {

const std::string kJfk = testdata::speech("jfk.wav");

using FakeServer = testing::FakeHttpServer;

OpenAiSettings fastSettings(const std::string& url) {
  OpenAiSettings s;
  s.url = url;
  s.model = "whisper-large-v3";
  s.language = "fr";
  s.firstBackoff = std::chrono::milliseconds(1);
  s.timeout = std::chrono::seconds(5);
  return s;
}

}  // namespace

TEST(PocketSphinx, RecognizesRealSpeechWithWordTimes) {
  PocketSphinxRecognizer recognizer;
  const auto samples = readWholeFile(kJfk);
  ASSERT_NEAR(samples.size() / 16000.0, 11.0, 0.1);
  const auto words = recognizer.recognize(samples);
  std::string text;
  for (const auto& w : words) text += w.word + " ";
  EXPECT_NE(text.find("country"), std::string::npos) << text;
  ASSERT_GE(words.size(), 8u) << text;
  for (std::size_t i = 1; i < words.size(); ++i) EXPECT_GE(words[i].start, words[i - 1].start);
  EXPECT_LE(words.back().end, 11.1);
  for (const auto& w : words) {
    EXPECT_GE(w.confidence, 0.0);
    EXPECT_LE(w.confidence, 1.0);
  }
}

TEST(OpenAiRecognizer, BuildsAMultipartRequestWithTheSegmentAsWav) {
  const auto url = fetch::parseUrl("https://albert.example.gouv.fr/api/");
  EXPECT_TRUE(url.https);
  EXPECT_EQ(url.port, "443");
  const std::vector<float> samples(1600, 0.25f);
  const auto request = buildTranscriptionRequest(fastSettings("x"), url, samples, "BOUNDARY");
  EXPECT_EQ(request.target, "/api/v1/audio/transcriptions");
  EXPECT_EQ(request.contentType, "multipart/form-data; boundary=BOUNDARY");
  EXPECT_NE(request.body.find("name=\"model\"\r\n\r\nwhisper-large-v3\r\n"), std::string::npos);
  EXPECT_NE(request.body.find("name=\"language\"\r\n\r\nfr\r\n"), std::string::npos);
  EXPECT_NE(request.body.find("name=\"response_format\"\r\n\r\nverbose_json"), std::string::npos);
  EXPECT_NE(request.body.find("filename=\"segment.wav\""), std::string::npos);
  EXPECT_NE(request.body.find("RIFF"), std::string::npos);
  EXPECT_EQ(request.body.substr(request.body.size() - 14), "--BOUNDARY--\r\n");
  const auto wav = encodeWav(samples);
  EXPECT_EQ(wav.size(), 44u + 3200u);
  EXPECT_EQ(fetch::parseUrl("http://127.0.0.1:9000/v1/audio/transcriptions").path, "/v1/audio/transcriptions");
  EXPECT_EQ(buildTranscriptionRequest(fastSettings("x"), fetch::parseUrl("http://h/v1/audio/transcriptions"), samples, "B").target,
            "/v1/audio/transcriptions");
  EXPECT_THROW(fetch::parseUrl("ftp://host"), std::invalid_argument);
  // The Host header names the port when it is not the default (a server that builds its
  // own URLs from it, like an identity provider's discovery document, needs it).
  EXPECT_EQ(fetch::hostHeader(fetch::parseUrl("http://127.0.0.1:9000/v1")), "127.0.0.1:9000");
  EXPECT_EQ(fetch::hostHeader(fetch::parseUrl("https://albert.example.gouv.fr/api")), "albert.example.gouv.fr");
  EXPECT_EQ(fetch::hostHeader(fetch::parseUrl("https://albert.example.gouv.fr:8443/")), "albert.example.gouv.fr:8443");
  EXPECT_EQ(fetch::hostHeader(fetch::parseUrl("http://[::1]:8080/x")), "[::1]:8080");
}

TEST(OpenAiRecognizer, ReadsEveryAnswerShape) {
  const auto words = parseTranscriptionResponse(
      R"({"text":"bonjour à tous","words":[{"word":" bonjour","start":0.1,"end":0.5,"probability":0.9},{"word":"à","start":0.5,"end":0.6},{"word":"tous","start":0.6,"end":1.0}]})",
      2.0);
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[0].word, "bonjour");
  EXPECT_DOUBLE_EQ(words[0].confidence, 0.9);
  EXPECT_DOUBLE_EQ(words[2].end, 1.0);
  const auto fromSegments = parseTranscriptionResponse(
      R"({"segments":[{"start":0.0,"end":1.0,"text":" un deux","avg_logprob":-0.1}]})", 2.0);
  ASSERT_EQ(fromSegments.size(), 2u);
  EXPECT_DOUBLE_EQ(fromSegments[1].start, 0.5);
  const auto plain = parseTranscriptionResponse(R"({"text":"a b c d"})", 2.0);
  ASSERT_EQ(plain.size(), 4u);
  EXPECT_DOUBLE_EQ(plain[3].end, 2.0);
  EXPECT_EQ(parseTranscriptionResponse("just text from a text server", 1.0).size(), 6u);
  EXPECT_TRUE(parseTranscriptionResponse(R"({"text":""})", 1.0).empty());
  EXPECT_THROW(parseTranscriptionResponse(R"({"error":{"message":"bad model"}})", 1.0), RecognizerError);
  EXPECT_THROW(parseTranscriptionResponse("[1,2]", 1.0), RecognizerError);
  // A confused server's times and confidences are brought back into the segment.
  const auto wild = parseTranscriptionResponse(
      R"({"words":[{"word":"avant","start":-3,"end":-1,"probability":7},{"word":"après","start":1.5,"end":1e300},{"word":"envers","start":1.8,"end":0.2}]})",
      2.0);
  ASSERT_EQ(wild.size(), 3u);
  EXPECT_DOUBLE_EQ(wild[0].start, 0.0);
  EXPECT_DOUBLE_EQ(wild[0].end, 0.0);
  EXPECT_DOUBLE_EQ(wild[0].confidence, 1.0);
  EXPECT_DOUBLE_EQ(wild[1].end, 2.0);
  EXPECT_DOUBLE_EQ(wild[2].start, 1.8);
  EXPECT_DOUBLE_EQ(wild[2].end, 1.8);
}

TEST(OpenAiRecognizer, RetriesAFailingServerThenSucceeds) {
  FakeServer server({{503, "overloaded"}, {500, "oops"}, {200, R"({"text":"ask not","words":[{"word":"ask","start":0,"end":0.3},{"word":"not","start":0.3,"end":0.6}]})"}});
  OpenAiRecognizer recognizer(fastSettings(server.url()));
  const auto words = recognizer.recognize(std::vector<float>(16000, 0.1f));
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[1].word, "not");
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[0].target(), "/v1/audio/transcriptions");
  EXPECT_NE(std::string(server.requests()[0][boost::beast::http::field::content_type]).find("multipart/form-data"),
            std::string::npos);
}

TEST(OpenAiRecognizer, ReportsAServerThatKeepsFailingOrCannotBeReached) {
  {
    FakeServer server({{401, R"({"error":"unauthorized"})"}});
    OpenAiRecognizer recognizer(fastSettings(server.url()));
    try {
      recognizer.recognize(std::vector<float>(1600, 0.0f));
      FAIL() << "no error";
    } catch (const RecognizerError& e) {
      EXPECT_NE(std::string(e.what()).find("HTTP 401"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.requests().size(), 1u) << "an authorisation error is not retried";
  }
  // A port nobody listens on (bound, then closed).
  std::string url;
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    url = "http://127.0.0.1:" + std::to_string(probe.local_endpoint().port());
  }
  OpenAiRecognizer unreachable(fastSettings(url));
  EXPECT_THROW(unreachable.recognize(std::vector<float>(1600, 0.0f)), RecognizerError);
}

TEST(AudioFileReader, ExplainsFilesItCannotRead) {
  EXPECT_THROW(AudioFileReader("/nonexistent/file.wav"), AudioError);
  char notAudio[] = "/tmp/parley-not-audio-XXXXXX";
  const int fd = mkstemp(notAudio);
  ASSERT_GE(fd, 0);
  const std::string text = "this is a text file, not a recording\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  EXPECT_THROW(AudioFileReader{notAudio}, AudioError);
  std::remove(notAudio);
  // A WAV cut inside its header.
  std::ifstream in(kJfk, std::ios::binary);
  std::string header(30, '\0');
  in.read(header.data(), 30);
  const std::string truncated = "/tmp/parley-truncated.wav";
  std::ofstream(truncated, std::ios::binary) << header;
  EXPECT_THROW(AudioFileReader{truncated}, AudioError);
  std::remove(truncated.c_str());
}

// A FLAC as a recorder makes it (44.1 kHz, stereo) comes out as 16 kHz mono: the right
// length, the tone at its pitch (zero crossings), the two channels mixed (one silent: half
// the amplitude).
TEST(AudioFileReader, ResamplesFlacToSixteenKilohertzMono) {
  const std::string path = "/tmp/parley-resample-" + std::to_string(::getpid()) + ".flac";
  SF_INFO info{};
  info.samplerate = 44100;
  info.channels = 2;
  info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(file, nullptr);
  const double seconds = 3.0, hertz = 440.0, amplitude = 0.5;
  std::vector<float> frames;
  for (int i = 0; i < seconds * 44100; ++i) {
    frames.push_back(static_cast<float>(amplitude * std::sin(2 * M_PI * hertz * i / 44100.0)));
    frames.push_back(0.0f);
  }
  ASSERT_EQ(sf_writef_float(file, frames.data(), static_cast<sf_count_t>(frames.size() / 2)),
            static_cast<sf_count_t>(frames.size() / 2));
  sf_close(file);
  AudioFileReader reader(path);
  std::vector<float> samples;
  while (reader.read(samples, 4000)) {
  }
  std::remove(path.c_str());
  EXPECT_NEAR(reader.durationSeconds(), seconds, 0.01);
  EXPECT_NEAR(samples.size() / 16000.0, seconds, 0.01);
  // Away from the edges (the resampler's filter settles): pitch and level.
  std::size_t crossings = 0;
  double energy = 0;
  const std::size_t from = 1600, to = samples.size() - 1600;
  for (std::size_t i = from; i < to; ++i) {
    if ((samples[i - 1] < 0) != (samples[i] < 0)) ++crossings;
    energy += double(samples[i]) * samples[i];
  }
  const double middle = (to - from) / 16000.0;
  EXPECT_NEAR(crossings / middle / 2, hertz, 2.0) << "the tone's pitch survives resampling";
  EXPECT_NEAR(std::sqrt(energy / (to - from)), amplitude / 2 / std::sqrt(2.0), 0.01) << "channels mixed, not summed";
}

// Float recordings can hold what no microphone gives (NaN, infinities, values far past full
// scale): the reader hands on silence and clipped samples, never a NaN for the features.
TEST(AudioFileReader, SilencesNonFiniteAndClipsWildFloatSamples) {
  const std::string path = "/tmp/parley-wild-floats.wav";
  SF_INFO info{};
  info.samplerate = 16000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(file, nullptr);
  std::vector<float> frames;
  for (int i = 0; i < 1600; ++i) {
    frames.push_back(i % 3 == 0 ? std::nanf("") : (i % 3 == 1 ? INFINITY : 1e30f));
    frames.push_back(0.25f);
  }
  ASSERT_EQ(sf_writef_float(file, frames.data(), 1600), 1600);
  sf_close(file);
  const auto samples = readWholeFile(path);
  std::remove(path.c_str());
  ASSERT_EQ(samples.size(), 1600u);
  EXPECT_FLOAT_EQ(samples[0], 0.125f);  // NaN is silence, mixed with 0.25
  EXPECT_FLOAT_EQ(samples[1], 0.125f);  // so is an infinity
  EXPECT_FLOAT_EQ(samples[2], 0.625f);  // 1e30 is full scale
}

}  // namespace parley::transcribe
