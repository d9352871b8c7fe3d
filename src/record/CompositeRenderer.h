#pragma once
// Renders a finished recording's composite (CompositePlan) with the ffmpeg command, in a
// process of its own at a low priority (nice), one render at a time per caller: the plan's
// graph, speaker script and names are written to a work directory inside the recording's,
// ffmpeg's progress is read from its standard output and reported as a fraction, and the
// result replaces nothing until it is complete (written under a temporary name, then
// renamed). Cancelling stops ffmpeg (SIGTERM, then SIGKILL).
#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "record/CompositePlan.h"

namespace parley::record {

struct RenderSettings {
  CompositeSettings composite;
  std::string ffmpeg = "/usr/bin/ffmpeg";
  int niceness = 10;
};

struct RenderResult {
  std::string output;  // the composite's file name in the recording's directory; empty on failure
  std::string error;
  double mediaSeconds = 0, wallSeconds = 0;  // how long the composite is, and how long it took
};

// Blocks until ffmpeg is done; `progress` gets fractions from 0 to 1 on the calling thread.
RenderResult renderComposite(const std::string& recordingDirectory, const RenderSettings& settings,
                             const std::function<void(double)>& progress, const std::atomic<bool>& cancelled);

}  // namespace parley::record
