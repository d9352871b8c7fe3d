#include "app/RenderCompositeCommand.h"

#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/ParseNumber.h"
#include "meeting/CompositeRenders.h"
#include "record/RecordingManifest.h"

namespace parley::app {

namespace {

const char* kUsage =
    "Usage: parley render-composite DIR [--threads N] [--width W --height H] [--fps F]\n"
    "\n"
    "Renders the composite video (or audio) of the finished recording in DIR, as the server\n"
    "does when a recording stops (a grid of the cameras with names, the speaker outlined, a\n"
    "shared screen large, every voice mixed), with ffmpeg at nice 10, and prints the render's\n"
    "speed: media seconds per second of ffmpeg's CPU time.\n"
    "  --threads N   ffmpeg's threads (default 1, as the server)\n"
    "  --width W --height H  the video's size (default 1280x720)\n"
    "  --fps F       frames a second (default 25)\n";

double childrenCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int runRenderComposite(const std::vector<std::string>& args) {
  std::string directory;
  record::RenderSettings settings;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    const bool hasValue = i + 1 < args.size();
    int* target = arg == "--threads" ? &settings.composite.threads
                  : arg == "--width" ? &settings.composite.width
                  : arg == "--height" ? &settings.composite.height
                  : arg == "--fps" ? &settings.composite.fps
                                   : nullptr;
    if (target) {
      const int hi = arg == "--threads" ? 64 : arg == "--fps" ? 60 : 3840;
      const int lo = arg == "--threads" || arg == "--fps" ? 1 : 160;
      if (!hasValue || !parseNumberInRange(args[++i], lo, hi, *target)) {
        std::cerr << "parley render-composite: " << arg << " needs a number from " << lo << " to " << hi << '\n';
        return 2;
      }
    } else if (!arg.empty() && arg[0] != '-' && directory.empty()) {
      directory = arg;
    } else {
      std::cerr << "parley render-composite: unexpected " << arg << "\n\n" << kUsage;
      return 2;
    }
  }
  if (directory.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  // Even sizes: H.264's 4:2:0 needs them.
  settings.composite.width &= ~1;
  settings.composite.height &= ~1;
  std::error_code error;
  directory = std::filesystem::absolute(directory, error).lexically_normal().string();
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  if (!record::readManifest(directory)) {
    std::cerr << "parley render-composite: " << directory
              << " has no readable manifest.json (not a finished recording)\n";
    return 1;
  }
  const std::atomic<bool> cancelled{false};
  const double cpuBefore = childrenCpuSeconds();
  int shown = -1;
  const auto result = meeting::renderRecordingComposite(directory, settings, cancelled, [&](double progress) {
    const int percent = static_cast<int>(progress * 100);
    if (percent / 10 == shown / 10) return;
    shown = percent;
    std::cerr << "rendering: " << percent << "%\n";
  });
  if (result.output.empty()) {
    std::cerr << "parley render-composite: " << result.error << '\n';
    return 1;
  }
  const double cpu = childrenCpuSeconds() - cpuBefore;
  const auto bytes = std::filesystem::file_size(directory + "/" + result.output, error);
  char line[400];
  std::snprintf(line, sizeof line,
                "%s/%s: %.1f s of media rendered in %.1f s (ffmpeg's CPU %.1f s: %.2fx real time on one core), "
                "%.1f MB (%.0f MB an hour)",
                directory.c_str(), result.output.c_str(), result.mediaSeconds, result.wallSeconds, cpu,
                cpu > 0 ? result.mediaSeconds / cpu : 0.0, error ? 0.0 : static_cast<double>(bytes) / 1e6,
                error || result.mediaSeconds <= 0 ? 0.0 : static_cast<double>(bytes) / 1e6 * 3600 / result.mediaSeconds);
  std::cout << line << '\n';
  return 0;
}

}  // namespace parley::app
