#include "transcribe/Transcript.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "transcribe/Pipeline.h"

namespace parley::transcribe {

namespace {
Transcript sample() {
  Transcript t;
  t.fileId = "meeting";
  t.duration = 65.4321;
  t.speakers = {{"S1", "Speaker 1"}, {"S2", "Marie <Curie>"}};
  t.segments = {{1.5, 3.25, "S1", "hello there", {{"hello", 1.5, 2.0, 0.9}, {"there", 2.1, 3.25, 0.8}}},
                {62.0, 64.75, "S2", "a < b & c", {{"a", 62.0, 62.5, 1.0}}}};
  return t;
}
}  // namespace

TEST(Transcript, JsonHasTheDocumentedShape) {
  const auto doc = nlohmann::json::parse(render(sample(), Format::Json));
  EXPECT_DOUBLE_EQ(doc["duration"].get<double>(), 65.432);
  EXPECT_EQ(doc["language"], "en");
  EXPECT_EQ(doc["speakers"][1]["label"], "Marie <Curie>");
  EXPECT_EQ(doc["segments"][0]["speaker"], "S1");
  EXPECT_EQ(doc["segments"][0]["text"], "hello there");
  EXPECT_EQ(doc["segments"][0]["words"][1]["word"], "there");
  EXPECT_DOUBLE_EQ(doc["segments"][0]["words"][1]["confidence"].get<double>(), 0.8);
}

TEST(Transcript, WebVttUsesVoiceTagsAndEscapes) {
  const auto vtt = render(sample(), Format::Vtt);
  EXPECT_EQ(vtt.rfind("WEBVTT\n", 0), 0u);
  EXPECT_NE(vtt.find("00:00:01.500 --> 00:00:03.250\n<v Speaker 1>hello there\n"), std::string::npos) << vtt;
  EXPECT_NE(vtt.find("<v Marie &lt;Curie&gt;>a &lt; b &amp; c"), std::string::npos) << vtt;
}

TEST(Transcript, SrtMarkdownRttmAndText) {
  const auto srt = render(sample(), Format::Srt);
  EXPECT_NE(srt.find("1\n00:00:01,500 --> 00:00:03,250\nSpeaker 1: hello there\n\n2\n00:01:02,000"), std::string::npos) << srt;
  const auto md = render(sample(), Format::Markdown);
  EXPECT_NE(md.find("**Speaker 1** [00:00:01] hello there"), std::string::npos) << md;
  EXPECT_NE(md.find("**Marie <Curie>** [00:01:02] a < b & c"), std::string::npos) << md;
  const auto rttm = render(sample(), Format::Rttm);
  EXPECT_NE(rttm.find("SPEAKER meeting 1 1.500 1.750 <NA> <NA> S1 <NA> <NA>\n"), std::string::npos) << rttm;
  const auto txt = render(sample(), Format::Text);
  EXPECT_EQ(txt, "Speaker 1: hello there\nMarie <Curie>: a < b & c\n");
  EXPECT_EQ(timestamp(3723.5, '.'), "01:02:03.500");
  EXPECT_FALSE(parseFormat("docx"));
}

TEST(Transcript, WordsTakeTheSpeakerOfTheirMoment) {
  const std::vector<Word> words = {{"one", 0.1, 0.4, 1}, {"two", 0.5, 0.9, 1}, {"three", 1.2, 1.6, 1},
                                   {"four", 5.0, 5.3, 1}};
  const std::vector<SpeakerTurn> turns = {{0.0, 1.0, 0}, {1.0, 2.0, 1}, {4.0, 6.0, 1}};
  const auto segments = attributeWords(words, turns);
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].speaker, "S1");
  EXPECT_EQ(segments[0].text, "one two");
  EXPECT_EQ(segments[1].speaker, "S2");
  EXPECT_EQ(segments[1].text, "three");
  EXPECT_EQ(segments[2].text, "four") << "a long pause starts a new segment";
}

}  // namespace parley::transcribe
