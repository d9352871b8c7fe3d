#pragma once
#include <string>
#include <vector>

namespace parley::app {

// `parley render-composite DIR [--threads N] [--width W --height H] [--fps F]`: renders the
// composite of one finished recording (a directory under --recordings) as the server does
// when a recording stops, updates its state file, and prints how fast it went (media seconds
// per second of ffmpeg's CPU: the render speed on one core). For a composite that a stopped
// server left unfinished, or to measure. Returns the process's exit status.
int runRenderComposite(const std::vector<std::string>& args);

}  // namespace parley::app
