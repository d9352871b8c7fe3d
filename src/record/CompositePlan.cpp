#include "record/CompositePlan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

namespace parley::record {

namespace {

constexpr const char* kTileColor = "0x3c4043";
constexpr const char* kStageColor = "0x202124";
// The active speaker's outlines come from a sendcmd script (commands.txt).
constexpr const char* kSpeakerScript = ",sendcmd=f=commands.txt";
constexpr int kStripDivisor = 4;  // the strip beside a shared screen: a quarter of the width
constexpr std::size_t kMaxTiles = 49;

int even(int value) { return value & ~1; }

std::string seconds(std::int64_t millis) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(millis) / 1000.0);
  return text;
}

std::string rect(const TileRect& r) {
  return "x=" + std::to_string(r.x) + ":y=" + std::to_string(r.y) + ":w=" + std::to_string(r.w) +
         ":h=" + std::to_string(r.h);
}

// A tile's participant: who, under which name, and their tracks.
struct Tile {
  std::string participant, name;
  std::vector<std::size_t> cameras;  // input indexes
};

}  // namespace

std::vector<TileRect> gridTiles(int count, int width, int height) {
  std::vector<TileRect> tiles;
  if (count <= 0) return tiles;
  const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
  const int rows = (count + columns - 1) / columns;
  const int w = even(width / columns), h = even(height / rows);
  for (int i = 0; i < count; ++i) {
    const int row = i / columns, column = i % columns;
    const int inRow = std::min(columns, count - row * columns);
    const int offset = (columns - inRow) * w / 2;  // the last row, centred
    tiles.push_back({offset + column * w, row * h, w, h});
  }
  return tiles;
}

CompositePlan planComposite(const RecordingManifest& manifest, const std::vector<RecordedEvent>& events,
                            const CompositeSettings& settings) {
  CompositePlan plan;
  std::int64_t durationMillis = manifest.durationMillis;
  for (const auto& track : manifest.tracks) durationMillis = std::max(durationMillis, track.endMillis);
  plan.durationSeconds = static_cast<double>(durationMillis) / 1000.0;
  const std::string duration = seconds(durationMillis);

  const auto names = namesOf(events);
  // Tiles: everyone with a camera or a microphone, in the order they first appear.
  std::vector<Tile> tiles;
  auto tileOf = [&](const std::string& participant) -> Tile* {
    for (auto& tile : tiles) {
      if (tile.participant == participant) return &tile;
    }
    if (tiles.size() >= kMaxTiles) return nullptr;
    const auto named = names.find(participant);
    tiles.push_back({participant, named != names.end() ? named->second : participant, {}});
    return &tiles.back();
  };
  std::vector<std::size_t> audio, screens;
  std::vector<std::pair<std::int64_t, std::int64_t>> screenTimes;
  std::vector<std::int64_t> starts;
  for (const auto& track : manifest.tracks) {
    const std::size_t input = plan.inputs.size();
    plan.inputs.push_back(track.file);
    starts.push_back(track.startMillis);
    if (track.kind == "audio") {
      audio.push_back(input);
      if (track.source == "microphone") tileOf(track.participant);
    } else if (track.source == "screen") {
      screens.push_back(input);
      screenTimes.emplace_back(track.startMillis, track.endMillis);
    } else if (Tile* tile = tileOf(track.participant)) {
      tile->cameras.push_back(input);
    }
  }
  plan.video = !tiles.empty() && (!screens.empty() || std::any_of(tiles.begin(), tiles.end(), [](const Tile& t) {
                 return !t.cameras.empty();
               }));
  plan.output = plan.video ? "composite.mp4" : "composite.m4a";
  std::string graph;
  const auto input = [](std::size_t index, const char* kind) { return "[" + std::to_string(index) + ":" + kind + "]"; };

  // Audio: each track from its start, mixed without lowering anyone, as long as the meeting.
  std::string mixInputs;
  for (std::size_t i = 0; i < audio.size(); ++i) {
    const std::string delay = std::to_string(std::max<std::int64_t>(0, starts[audio[i]]));
    graph += input(audio[i], "a") + "aresample=48000,aformat=channel_layouts=stereo,adelay=" + delay + "|" + delay +
             "[a" + std::to_string(i) + "];\n";
    mixInputs += "[a" + std::to_string(i) + "]";
  }
  if (audio.empty()) {
    graph += "anullsrc=r=48000:cl=stereo,atrim=duration=" + duration + "[aout];\n";
  } else {
    graph += mixInputs + (audio.size() == 1 ? std::string("anull")
                                            : "amix=inputs=" + std::to_string(audio.size()) +
                                                  ":duration=longest:normalize=0") +
             ",apad=whole_dur=" + duration + "[aout];\n";
  }
  if (!plan.video) {
    plan.filterGraph = graph;
    return plan;
  }

  const int W = even(settings.width), H = even(settings.height);
  const bool withScreens = !screens.empty();
  std::string screenOn = "0";
  if (withScreens) {
    screenOn = "gt(";
    for (std::size_t i = 0; i < screenTimes.size(); ++i) {
      screenOn += (i ? "+" : "") + std::string("between(t,") + seconds(screenTimes[i].first) + "," +
                  seconds(screenTimes[i].second) + ")";
    }
    screenOn += ",0)";
  }
  const std::string gridOn = withScreens ? "not(" + screenOn + ")" : "1";
  const int stripWidth = even(W / kStripDivisor), stripTileHeight = even(stripWidth * 9 / 16);
  const TileRect stage{0, 0, W - stripWidth, H};
  const auto grid = gridTiles(static_cast<int>(tiles.size()), W, H);
  const int stripSlots = H / std::max(1, stripTileHeight);

  std::string base = "[b0]";
  int step = 0;
  auto chain = [&](const std::string& filter) {
    const std::string next = "[b" + std::to_string(++step) + "]";
    graph += base + filter + next + ";\n";
    base = next;
  };
  graph += "color=c=" + std::string(kStageColor) + ":s=" + std::to_string(W) + "x" + std::to_string(H) + ":r=" +
           std::to_string(settings.fps) + ":d=" + duration + kSpeakerScript + "[b0];\n";

  // A participant's places: in the grid, and in the strip while a screen is shared.
  struct Place {
    TileRect rect;
    std::string enable, tag;
  };
  auto placesOf = [&](std::size_t i) {
    std::vector<Place> places{{grid[i], gridOn, "g"}};
    if (withScreens && static_cast<int>(i) < stripSlots) {
      places.push_back({{W - stripWidth, static_cast<int>(i) * stripTileHeight, stripWidth, stripTileHeight}, screenOn, "s"});
    }
    return places;
  };
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    for (const auto& place : placesOf(i)) {
      chain("drawbox=" + rect(place.rect) + ":color=" + kTileColor + ":t=fill:enable='" + place.enable + "'");
    }
  }
  // Cameras, each in its participant's places, from when it started until it ended.
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    for (std::size_t camera : tiles[i].cameras) {
      const auto places = placesOf(i);
      const std::string source = "c" + std::to_string(camera);
      graph += input(camera, "v") + "setpts=PTS-STARTPTS+" + seconds(starts[camera]) + "/TB";
      if (places.size() > 1) {
        graph += ",split=" + std::to_string(places.size());
        for (std::size_t p = 0; p < places.size(); ++p) graph += "[" + source + "p" + std::to_string(p) + "]";
        graph += ";\n";
      } else {
        graph += "[" + source + "p0];\n";
      }
      for (std::size_t p = 0; p < places.size(); ++p) {
        const TileRect& r = places[p].rect;
        const std::string fitted = source + "f" + std::to_string(p);
        graph += "[" + source + "p" + std::to_string(p) + "]scale=" + std::to_string(r.w) + ":" + std::to_string(r.h) +
                 ":force_original_aspect_ratio=decrease,pad=" + std::to_string(r.w) + ":" + std::to_string(r.h) +
                 ":-1:-1:color=" + kTileColor + "[" + fitted + "];\n";
        const std::string next = "[b" + std::to_string(++step) + "]";
        graph += base + "[" + fitted + "]overlay=x=" + std::to_string(r.x) + ":y=" + std::to_string(r.y) +
                 ":eof_action=pass:enable='" + places[p].enable + "'" + next + ";\n";
        base = next;
      }
    }
  }
  // Shared screens on the stage, as large as it allows.
  for (std::size_t screen : screens) {
    const std::string fitted = "s" + std::to_string(screen);
    graph += input(screen, "v") + "setpts=PTS-STARTPTS+" + seconds(starts[screen]) + "/TB,scale=" +
             std::to_string(stage.w) + ":" + std::to_string(stage.h) + ":force_original_aspect_ratio=decrease,pad=" +
             std::to_string(stage.w) + ":" + std::to_string(stage.h) + ":-1:-1:color=black[" + fitted + "];\n";
    const std::string next = "[b" + std::to_string(++step) + "]";
    graph += base + "[" + fitted + "]overlay=x=0:y=0:eof_action=pass" + next + ";\n";
    base = next;
  }
  // Names, and the speaker's outline (transparent until sendcmd colours it).
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const std::string label = "label" + std::to_string(i) + ".txt";
    plan.labels.emplace_back(label, tiles[i].name);
    for (const auto& place : placesOf(i)) {
      const TileRect& r = place.rect;
      const int size = std::max(12, std::min(28, r.h / 12));
      chain("drawtext=fontfile=" + settings.fontFile + ":textfile=" + label + ":x=" + std::to_string(r.x + 10) +
            ":y=" + std::to_string(r.y + r.h - size - 12) + ":fontsize=" + std::to_string(size) +
            ":fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=6:enable='" + place.enable + "'");
      chain("drawbox@h" + place.tag + std::to_string(i) + "=" + rect(r) + ":color=yellow@0:t=6:enable='" +
            place.enable + "'");
    }
  }
  graph += base + "format=yuv420p[vout]\n";
  plan.filterGraph = graph;

  // The active speaker, as the room saw it: one outline at a time.
  std::map<std::string, std::size_t> indexOf;
  for (std::size_t i = 0; i < tiles.size(); ++i) indexOf[tiles[i].participant] = i;
  std::optional<std::size_t> current;
  auto outline = [&](std::size_t i, const char* color) {
    std::string out;
    for (const auto& place : placesOf(i)) {
      out += (out.empty() ? "" : ", ") + std::string("drawbox@h") + place.tag + std::to_string(i) + " color " + color;
    }
    return out;
  };
  for (const auto& event : events) {
    if (event.type != "speaker") continue;
    const auto found = indexOf.find(event.participant);
    if (found == indexOf.end() || current == found->second) continue;
    std::string line = seconds(event.millis) + " ";
    if (current) line += outline(*current, "yellow@0") + ", ";
    line += outline(found->second, "yellow@1") + ";\n";
    plan.commands += line;
    current = found->second;
  }
  // ffmpeg refuses an empty script (a room of one, or nobody spoke): then there is none.
  if (plan.commands.empty()) {
    if (const auto at = plan.filterGraph.find(kSpeakerScript); at != std::string::npos) {
      plan.filterGraph.erase(at, std::string_view(kSpeakerScript).size());
    }
  }
  return plan;
}

std::vector<std::string> CompositePlan::arguments(const std::string& trackDirectory, const std::string& outputPath,
                                                  const CompositeSettings& settings) const {
  std::vector<std::string> args = {"ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
                                   "-progress", "pipe:1"};
  for (const auto& file : inputs) {
    args.insert(args.end(), {"-i", trackDirectory + "/" + file});
  }
  const std::string threads = std::to_string(std::max(1, settings.threads));
  args.insert(args.end(), {"-filter_complex_threads", threads, "-filter_complex_script", "graph.txt"});
  if (video) {
    args.insert(args.end(), {"-map", "[vout]", "-c:v", "libx264", "-preset", "veryfast", "-crf",
                             std::to_string(settings.crf), "-maxrate", std::to_string(settings.maxKbps) + "k",
                             "-bufsize", std::to_string(2 * settings.maxKbps) + "k", "-r", std::to_string(settings.fps)});
  }
  args.insert(args.end(), {"-map", "[aout]", "-c:a", "aac", "-b:a", "128k", "-threads", threads, "-t",
                           std::to_string(durationSeconds), "-movflags", "+faststart", "-y", outputPath});
  return args;
}

}  // namespace parley::record
