#include "record/RecordingManifest.h"

#include <nlohmann/json.hpp>

#include "common/FileText.h"

namespace parley::record {

using nlohmann::json;

namespace {
std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::int64_t integer(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}
}  // namespace

std::optional<RecordingManifest> parseManifest(std::string_view bytes) {
  const json document = json::parse(bytes, nullptr, false);
  if (!document.is_object()) return std::nullopt;
  RecordingManifest manifest;
  manifest.durationMillis = std::max<std::int64_t>(0, integer(document, "durationMs"));
  manifest.error = text(document, "error");
  const auto tracks = document.find("tracks");
  if (tracks == document.end() || !tracks->is_array()) return std::nullopt;
  for (const json& t : *tracks) {
    if (!t.is_object() || manifest.tracks.size() >= kMaxManifestTracks) continue;
    ManifestTrack track{text(t, "file"), text(t, "participant"), text(t, "source"), text(t, "kind"), text(t, "codec"),
                        integer(t, "startMs"), integer(t, "endMs"), static_cast<int>(integer(t, "width")),
                        static_cast<int>(integer(t, "height"))};
    if (track.file.empty() || track.startMillis < 0 || track.endMillis < track.startMillis) continue;
    manifest.tracks.push_back(std::move(track));
  }
  return manifest;
}

std::vector<RecordedEvent> parseEvents(std::string_view bytes) {
  std::vector<RecordedEvent> events;
  std::size_t start = 0;
  while (start < bytes.size() && events.size() < kMaxRecordedEvents) {
    const std::size_t end = std::min(bytes.find('\n', start), bytes.size());
    const json line = json::parse(bytes.substr(start, end - start), nullptr, false);
    start = end + 1;
    if (!line.is_object()) continue;
    RecordedEvent event{integer(line, "ms"), text(line, "type"), text(line, "participant"), text(line, "name"),
                        text(line, "detail")};
    if (event.type.empty() || event.millis < 0) continue;
    events.push_back(std::move(event));
  }
  return events;
}

std::optional<RecordingManifest> readManifest(const std::string& directory) {
  const auto text = readFileText(directory + "/manifest.json");
  return text ? parseManifest(*text) : std::nullopt;
}

std::vector<RecordedEvent> readEvents(const std::string& directory) {
  const auto text = readFileText(directory + "/events.jsonl");
  return text ? parseEvents(*text) : std::vector<RecordedEvent>{};
}

std::map<std::string, std::string> namesOf(const std::vector<RecordedEvent>& events) {
  std::map<std::string, std::string> names;
  for (const auto& event : events) {
    if (event.type == "join" && !event.participant.empty() && !event.name.empty()) names[event.participant] = event.name;
  }
  return names;
}

}  // namespace parley::record
