#pragma once
// A transcript: speakers, and segments of words with times and confidences. Written in
// JSON, WebVTT, SRT, Markdown, RTTM or plain text.
#include <optional>
#include <string>
#include <vector>

namespace parley::transcribe {

struct Word {
  std::string word;
  double start = 0;
  double end = 0;
  double confidence = 1;
};

struct Speaker {
  std::string id;     // "S1"
  std::string label;  // "Speaker 1", or a participant's name
};

struct Segment {
  double start = 0;
  double end = 0;
  std::string speaker;  // a Speaker id, empty if unknown
  std::string text;
  std::vector<Word> words;
};

struct Transcript {
  std::string fileId = "audio";  // RTTM's file column
  double duration = 0;
  std::string language = "en";
  std::vector<Speaker> speakers;
  std::vector<Segment> segments;
  const Speaker* speaker(const std::string& id) const;
};

enum class Format { Json, Vtt, Srt, Markdown, Rttm, Text };
std::optional<Format> parseFormat(const std::string& name);

std::string render(const Transcript& transcript, Format format);

// "00:01:02.345" (VTT) or "00:01:02,345" (SRT), "00:01:02" (Markdown).
std::string timestamp(double seconds, char millisSeparator, bool millis = true);

}  // namespace parley::transcribe
