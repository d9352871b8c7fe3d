#include "record/CompositeRenderer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/FileText.h"
#include "record/RecordingManifest.h"

namespace parley::record {

namespace fs = std::filesystem;

namespace {

bool writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// The last lines ffmpeg wrote to its log: what went wrong, for the moderators.
std::string tailOf(const fs::path& log) {
  std::string text = readFileText(log.string()).value_or("");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() > 300) text = "…" + text.substr(text.size() - 300);
  return text;
}

}  // namespace

RenderResult renderComposite(const std::string& recordingDirectory, const RenderSettings& settings,
                             const std::function<void(double)>& progress, const std::atomic<bool>& cancelled) {
  RenderResult result;
  // ffmpeg runs in the work directory: every path it is given is absolute (--recordings may
  // be relative to the server's own working directory).
  std::error_code absoluteError;
  const std::string directory = fs::absolute(recordingDirectory, absoluteError).string();
  const auto began = std::chrono::steady_clock::now();
  const auto manifest = readManifest(directory);
  if (!manifest) return {{}, "the recording has no readable manifest.json"};
  if (manifest->tracks.empty()) return {{}, "nothing was recorded"};
  const auto events = readEvents(directory);
  const CompositePlan plan = planComposite(*manifest, events, settings.composite);
  result.mediaSeconds = plan.durationSeconds;

  const fs::path work = fs::path(directory) / ".render";
  std::error_code ignored;
  fs::remove_all(work, ignored);
  fs::create_directories(work, ignored);
  bool written = writeText(work / "graph.txt", plan.filterGraph) && writeText(work / "commands.txt", plan.commands);
  for (const auto& [name, text] : plan.labels) written = written && writeText(work / name, text);
  if (!written) return {{}, "cannot write the render's files (is the disk full?)"};

  const fs::path partial = work / ("partial-" + plan.output);
  std::vector<std::string> args = plan.arguments(directory, partial.string(), settings.composite);
  args[0] = settings.ffmpeg;
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string logPath = (work / "ffmpeg.log").string();
  const std::string workPath = work.string();

  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) return {{}, "cannot start ffmpeg (pipe)"};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    return {{}, "cannot start ffmpeg (fork)"};
  }
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    ::setpriority(PRIO_PROCESS, 0, settings.niceness);
    if (::chdir(workPath.c_str()) != 0) ::_exit(126);
    ::dup2(pipeFds[1], STDOUT_FILENO);
    const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipeFds[1]);

  // Progress lines ("out_time_us=N"), until ffmpeg closes its output.
  std::string pending;
  bool stopping = false;
  for (;;) {
    if (cancelled.load() && !stopping) {
      ::kill(pid, SIGTERM);
      stopping = true;
    }
    pollfd p{pipeFds[0], POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t end;
    while ((end = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      constexpr std::string_view kTime = "out_time_us=";
      if (line.rfind(kTime, 0) == 0 && plan.durationSeconds > 0 && progress) {
        const double us = std::atof(line.c_str() + kTime.size());
        progress(std::clamp(us / 1e6 / plan.durationSeconds, 0.0, 1.0));
      }
    }
    if (pending.size() > 65536) pending.clear();  // not progress lines: ignore them
  }
  ::close(pipeFds[0]);
  int status = 0;
  if (stopping) {
    // It had a few seconds' grace; then it is killed.
    for (int i = 0; i < 50 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) ::usleep(100000);
    if (::waitpid(pid, &status, WNOHANG) == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
  } else {
    ::waitpid(pid, &status, 0);
  }
  result.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  if (cancelled.load()) return {{}, "the render was cancelled", result.mediaSeconds, result.wallSeconds};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string why = tailOf(logPath);
    return {{}, "ffmpeg failed" + (why.empty() ? std::string() : ": " + why), result.mediaSeconds, result.wallSeconds};
  }
  std::error_code error;
  fs::rename(partial, fs::path(directory) / plan.output, error);
  if (error) return {{}, "cannot keep the composite: " + error.message(), result.mediaSeconds, result.wallSeconds};
  fs::remove_all(work, ignored);
  if (progress) progress(1.0);
  result.output = plan.output;
  return result;
}

}  // namespace parley::record
