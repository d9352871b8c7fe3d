#pragma once
// What a finished recording's directory says of it, read back for its composite: the
// tracks of manifest.json (RoomRecording writes it) and the room's events of events.jsonl
// (names, the active speaker). Both are read as untrusted bytes: a field of the wrong type
// or a line that is not JSON is left out, never thrown on; sizes are bounded.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::record {

struct ManifestTrack {
  std::string file, participant, source, kind, codec;
  std::int64_t startMillis = 0, endMillis = 0;
  int width = 0, height = 0;
};

struct RecordingManifest {
  std::int64_t durationMillis = 0;
  std::vector<ManifestTrack> tracks;
  std::string error;
};

struct RecordedEvent {
  std::int64_t millis = 0;
  std::string type, participant, name, detail;
};

inline constexpr std::size_t kMaxManifestTracks = 1024;
inline constexpr std::size_t kMaxRecordedEvents = 200000;

// Nothing if the text is not a manifest.
std::optional<RecordingManifest> parseManifest(std::string_view text);
// Every well-formed line, in order, up to kMaxRecordedEvents.
std::vector<RecordedEvent> parseEvents(std::string_view text);

// The same, read from a recording's directory (no manifest, or no events, if its file is
// missing or unreadable).
std::optional<RecordingManifest> readManifest(const std::string& directory);
std::vector<RecordedEvent> readEvents(const std::string& directory);
// Each participant's name as they joined (events' "join"), by participant id.
std::map<std::string, std::string> namesOf(const std::vector<RecordedEvent>& events);

}  // namespace parley::record
