#pragma once
// How a finished recording becomes one video (or, without cameras, one audio file): the
// ffmpeg filter graph, from the recording's own manifest and events. Pure (no files, no
// processes), so that the layout is tested and fuzzed on its own:
// - a grid of tiles, one per participant (cameras in them while they were on, their names
//   written on them), sized to the count, the last row centred;
// - while a screen is shared, the screen takes the stage and the tiles go to a strip on the
//   right;
// - the active speaker's tile outlined (drawboxes switched by a sendcmd script at each
//   change of speaker);
// - every microphone and shared sound mixed, each from when it started.
// Names go through text files, and the graph names only relative paths, so nothing a
// participant wrote is ever parsed by ffmpeg as part of the graph.
#include <string>
#include <utility>
#include <vector>

#include "record/RecordingManifest.h"

namespace parley::record {

struct CompositeSettings {
  int width = 1280, height = 720, fps = 25;
  int threads = 1;  // ffmpeg's encoding and filtering threads
  // The video's quality (x264's CRF) with a ceiling on its rate, so that a composite's size
  // is bounded whatever the cameras show (noise-like pictures took 2.6 GB an hour uncapped):
  // at most about (maxKbps + 128) x 450 kB an hour, 0.96 GB at 2,000 kbit/s.
  int crf = 26;
  int maxKbps = 2000;
  std::string fontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
};

struct CompositePlan {
  bool video = false;  // false: an audio file
  std::string output;  // "composite.mp4" or "composite.m4a"
  double durationSeconds = 0;
  std::vector<std::string> inputs;  // the tracks' files, in ffmpeg's input order
  std::string filterGraph;          // for -filter_complex_script
  std::string commands;             // the sendcmd script (speaker outlines)
  std::vector<std::pair<std::string, std::string>> labels;  // text file name, its text
  // ffmpeg's arguments when run in a work directory holding graph.txt, commands.txt and the
  // labels, with the tracks in `trackDirectory`; progress goes to standard output.
  std::vector<std::string> arguments(const std::string& trackDirectory, const std::string& outputPath,
                                     const CompositeSettings& settings) const;
};

CompositePlan planComposite(const RecordingManifest& manifest, const std::vector<RecordedEvent>& events,
                            const CompositeSettings& settings);

struct TileRect {
  int x = 0, y = 0, w = 0, h = 0;
};
// The grid's tiles for `count` participants on a `width` x `height` stage (even sizes).
std::vector<TileRect> gridTiles(int count, int width, int height);

}  // namespace parley::record
