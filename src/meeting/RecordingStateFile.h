#pragma once
// A recording's state.json: what the recording service knows of it beside its manifest
// (whether it runs, stopped or failed, and its composite's progress), written whole under a
// temporary name then renamed, so that a reader never sees half of it. Written by one thread
// at a time for a recording: the control thread starts it, its writer thread stops it, the
// render thread renders it; any thread reads it.
#include <cstdint>
#include <optional>
#include <string>

namespace parley::meeting {

struct RecordingState {
  std::string state;  // "recording", "stopped", "failed"
  std::int64_t startedAt = 0, stoppedAt = 0;  // unix milliseconds
  std::string error;                           // why it failed
  // The composite: "pending", "rendering" (with its progress, 0 to 1), "ready", "failed".
  std::string render;
  double renderProgress = 0;
  std::string composite;  // its file name once ready
  std::string renderError;
};

// A recording's state as it starts, or as it stops (with its error, if it failed).
RecordingState recordingState(std::string state, std::int64_t startedAt, std::int64_t stoppedAt = 0,
                              std::string error = {});

std::optional<RecordingState> readRecordingState(const std::string& directory);
bool writeRecordingState(const std::string& directory, const RecordingState& state);

}  // namespace parley::meeting
