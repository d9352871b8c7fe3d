#include "transcribe/Transcript.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <sstream>

namespace parley::transcribe {

const Speaker* Transcript::speaker(const std::string& id) const {
  for (const auto& s : speakers) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::optional<Format> parseFormat(const std::string& name) {
  if (name == "json") return Format::Json;
  if (name == "vtt") return Format::Vtt;
  if (name == "srt") return Format::Srt;
  if (name == "md") return Format::Markdown;
  if (name == "rttm") return Format::Rttm;
  if (name == "txt") return Format::Text;
  return std::nullopt;
}

std::string timestamp(double seconds, char separator, bool millis) {
  const long total = std::lround(std::max(0.0, seconds) * 1000);
  char buffer[32];
  if (millis) {
    std::snprintf(buffer, sizeof buffer, "%02ld:%02ld:%02ld%c%03ld", total / 3600000, total / 60000 % 60,
                  total / 1000 % 60, separator, total % 1000);
  } else {
    std::snprintf(buffer, sizeof buffer, "%02ld:%02ld:%02ld", total / 3600000, total / 60000 % 60, total / 1000 % 60);
  }
  return buffer;
}

namespace {

double round3(double v) { return std::round(v * 1000) / 1000; }

std::string label(const Transcript& t, const std::string& id) {
  const Speaker* s = t.speaker(id);
  return s ? s->label : (id.empty() ? "Speaker" : id);
}

// Cue text must not close the voice tag or start a new cue.
std::string vttEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

std::string render(const Transcript& t, Format format) {
  std::ostringstream out;
  switch (format) {
    case Format::Json: {
      nlohmann::json speakers = nlohmann::json::array();
      for (const auto& s : t.speakers) speakers.push_back({{"id", s.id}, {"label", s.label}});
      nlohmann::json segments = nlohmann::json::array();
      for (const auto& seg : t.segments) {
        nlohmann::json words = nlohmann::json::array();
        for (const auto& w : seg.words) {
          words.push_back({{"word", w.word}, {"start", round3(w.start)}, {"end", round3(w.end)},
                           {"confidence", round3(w.confidence)}});
        }
        segments.push_back({{"start", round3(seg.start)}, {"end", round3(seg.end)}, {"speaker", seg.speaker},
                            {"text", seg.text}, {"words", std::move(words)}});
      }
      const nlohmann::json doc = {{"duration", round3(t.duration)}, {"language", t.language},
                                  {"speakers", std::move(speakers)}, {"segments", std::move(segments)}};
      out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      break;
    }
    case Format::Vtt:
      out << "WEBVTT\n";
      for (const auto& seg : t.segments) {
        out << '\n' << timestamp(seg.start, '.') << " --> " << timestamp(seg.end, '.') << '\n'
            << "<v " << vttEscape(label(t, seg.speaker)) << '>' << vttEscape(seg.text) << '\n';
      }
      break;
    case Format::Srt: {
      int index = 1;
      for (const auto& seg : t.segments) {
        out << index++ << '\n'
            << timestamp(seg.start, ',') << " --> " << timestamp(seg.end, ',') << '\n'
            << label(t, seg.speaker) << ": " << seg.text << "\n\n";
      }
      break;
    }
    case Format::Markdown:
      for (const auto& seg : t.segments) {
        out << "**" << label(t, seg.speaker) << "** [" << timestamp(seg.start, '.', false) << "] " << seg.text << "\n\n";
      }
      break;
    case Format::Rttm:
      for (const auto& seg : t.segments) {
        char line[256];
        std::snprintf(line, sizeof line, "SPEAKER %s 1 %.3f %.3f <NA> <NA> %s <NA> <NA>\n", t.fileId.c_str(), seg.start,
                      seg.end - seg.start, seg.speaker.empty() ? "S0" : seg.speaker.c_str());
        out << line;
      }
      break;
    case Format::Text:
      for (const auto& seg : t.segments) {
        if (!t.speakers.empty()) out << label(t, seg.speaker) << ": ";
        out << seg.text << '\n';
      }
      break;
  }
  return out.str();
}

}  // namespace parley::transcribe
