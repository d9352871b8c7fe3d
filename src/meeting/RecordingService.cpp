#include "meeting/RecordingService.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "common/Clock.h"
#include "common/Random.h"
#include "meeting/RecordingStateFile.h"
#include "meeting/RecordingTapAdapter.h"
#include "record/RecordingManifest.h"

namespace parley::meeting {

namespace fs = std::filesystem;

namespace {

// A recording's id: when it started (UTC, so that names sort by time) and a random part.
std::string newRecordingId(std::int64_t nowUnixMillis) {
  const std::time_t seconds = static_cast<std::time_t>(nowUnixMillis / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  return std::string(stamp) + "-" + randomToken(3);
}

}  // namespace

bool validRecordingName(std::string_view name) {
  if (name.empty() || name.size() > 80 || name.front() == '.') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return name.find("..") == std::string_view::npos;
}

RecordingService::RecordingService(RecordingSettings settings, sfu::MediaService* media, Post post, Report report)
    : settings_(std::move(settings)), media_(media), post_(std::move(post)), report_(std::move(report)) {
  if (available() && settings_.renderComposites) {
    renders_ = std::make_shared<CompositeRenders>(settings_.render, post_, [report = report_](const RenderReport& r) {
      if (report) {
        report({r.roomId, r.recordingId, r.ok ? RecordingReport::Kind::Rendered : RecordingReport::Kind::RenderFailed,
                r.error, static_cast<std::int64_t>(r.mediaSeconds * 1000)});
      }
    });
  }
}

RecordingService::~RecordingService() { drain(); }

std::string RecordingService::recordingDirectory(const std::string& roomId, const std::string& recordingId) const {
  return settings_.directory + "/" + roomId + "/" + recordingId;
}


std::variant<RecordingService::Started, RecordingService::StartError> RecordingService::start(
    const std::string& roomId, std::int64_t now, std::string* problem) {
  if (!available()) return StartError::Unavailable;
  if (recording(roomId)) return StartError::AlreadyRunning;
  if (active_.size() >= settings_.maxRooms) {
    ++refused_;
    return StartError::Full;
  }
  forgetFinished();
  const std::string recordingId = newRecordingId(now);
  const std::string directory = recordingDirectory(roomId, recordingId);
  record::RecordingOptions options;
  options.directory = directory;
  options.queueSlots = settings_.queueSlots;
  options.maxDurationMillis = settings_.maxDurationMillis;
  options.minFreeBytes = settings_.minFreeBytes;
  options.freeBytes = settings_.freeBytes;
  options.created = [now](const std::string& made) { writeRecordingState(made, recordingState("recording", now)); };
  // Runs on the writer thread: completes the state file, then tells the control thread.
  auto finished = [post = post_, report = report_, renders = std::weak_ptr<CompositeRenders>(renders_), roomId,
                   recordingId, directory, now](const record::RecordingResult& result) {
    const std::string& why = result.error.empty() ? result.limit : result.error;
    const auto state = recordingState(result.error.empty() ? "stopped" : "failed", now, unixMillisNow(), why);
    writeRecordingState(directory, state);
    if (!why.empty()) spdlog::warn("recording {} of room {} stopped: {}", recordingId, roomId, why);
    // Whatever was written is rendered, also when a full disk cut it short.
    if (auto queue = renders.lock(); queue && !result.tracks.empty()) queue->submit(roomId, recordingId, directory);
    const auto kind = !result.error.empty() ? RecordingReport::Kind::Failed
                      : !result.limit.empty() ? RecordingReport::Kind::Limited
                                              : RecordingReport::Kind::Stopped;
    RecordingReport r{roomId, recordingId, kind, why, result.durationMillis};
    if (post && report) post([report, r] { report(r); });
  };
  auto made = record::RoomRecording::start(options, std::move(finished));
  if (auto* error = std::get_if<std::string>(&made)) {
    if (problem) *problem = *error;
    spdlog::warn("cannot record room {}: {}", roomId, *error);
    return StartError::Disk;
  }
  std::shared_ptr<record::RoomRecording> recording = std::move(std::get<std::unique_ptr<record::RoomRecording>>(made));
  if (media_) media_->setRecordingTap(roomId, std::make_shared<RecordingTapAdapter>(recording));
  active_[roomId] = Active{recordingId, now, recording};
  ++started_;
  spdlog::info("recording {} of room {} started", recordingId, roomId);
  return Started{recordingId, now};
}

bool RecordingService::stop(const std::string& roomId) {
  const auto it = active_.find(roomId);
  if (it == active_.end()) return false;
  if (media_) media_->setRecordingTap(roomId, nullptr);
  it->second.recording->stop();
  finishing_.push_back(it->second.recording);
  spdlog::info("recording {} of room {} stopping", it->second.recordingId, roomId);
  active_.erase(it);
  return true;
}

void RecordingService::forgetFinished() {
  std::erase_if(finishing_, [this](const auto& recording) {
    if (!recording->done()) return false;
    finishedWriterCpuMicros_ += recording->writerCpuMicros();
    return true;
  });
}

std::optional<RecordingService::Started> RecordingService::current(const std::string& roomId) const {
  const auto it = active_.find(roomId);
  if (it == active_.end()) return std::nullopt;
  return Started{it->second.recordingId, it->second.startedAt};
}

void RecordingService::note(const std::string& roomId, record::RecordingEvent event) {
  const auto it = active_.find(roomId);
  if (it != active_.end()) it->second.recording->note(std::move(event));
}

std::optional<RecordingListing> RecordingService::listing(const std::string& roomId,
                                                         const std::string& recordingId) const {
  const std::string directory = recordingDirectory(roomId, recordingId);
  const auto state = readRecordingState(directory);
  if (!state) return std::nullopt;
  RecordingListing listing;
  listing.id = recordingId;
  listing.state = state->state;
  listing.startedAt = state->startedAt;
  listing.stoppedAt = state->stoppedAt;
  listing.error = state->error;
  listing.render = state->render;
  listing.renderProgress = state->renderProgress;
  listing.renderError = state->renderError;
  std::error_code error;
  auto sizeOf = [&](const std::string& name) {
    const auto bytes = fs::file_size(directory + "/" + name, error);
    return error ? std::uint64_t{0} : static_cast<std::uint64_t>(bytes);
  };
  if (const auto manifest = record::readManifest(directory)) {
    const auto names = record::namesOf(record::readEvents(directory));
    listing.durationMillis = manifest->durationMillis;
    for (const auto& track : manifest->tracks) {
      RecordingListing::File file{track.file, track.kind, track.participant, track.source, {}, sizeOf(track.file)};
      if (const auto named = names.find(file.participant); named != names.end()) file.participantName = named->second;
      listing.files.push_back(std::move(file));
    }
    if (!state->composite.empty() && validRecordingName(state->composite)) {
      listing.files.insert(listing.files.begin(),
                           {state->composite, "composite", "", "", {}, sizeOf(state->composite)});
    }
    for (const auto& file : listing.files) listing.bytes += file.bytes;
  } else if (const auto active = current(roomId); active && active->recordingId == recordingId) {
    listing.durationMillis = unixMillisNow() - active->startedAt;
  }
  if (listing.state == "recording" && !running(roomId, recordingId)) {
    listing.state = "failed";  // the server stopped (or crashed) while it recorded
    listing.error = "the server stopped during the recording; its files end there";
  }
  return listing;
}

std::vector<RecordingListing> RecordingService::list(const std::string& roomId) const {
  std::vector<RecordingListing> out;
  if (!available() || !validRecordingName(roomId)) return out;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(settings_.directory + "/" + roomId, error)) {
    const std::string recordingId = entry.path().filename().string();
    if (!entry.is_directory() || !validRecordingName(recordingId)) continue;
    if (auto one = listing(roomId, recordingId)) out.push_back(std::move(*one));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });  // newest first
  return out;
}

std::optional<std::string> RecordingService::filePath(const std::string& roomId, const std::string& recordingId,
                                                      const std::string& fileName) const {
  if (!available() || !validRecordingName(roomId) || !validRecordingName(recordingId) || !validRecordingName(fileName)) {
    return std::nullopt;
  }
  const auto found = listing(roomId, recordingId);
  if (!found || found->state == "recording") return std::nullopt;
  for (const auto& file : found->files) {
    if (file.name == fileName) return recordingDirectory(roomId, recordingId) + "/" + fileName;
  }
  return std::nullopt;
}

RecordingService::RemoveResult RecordingService::remove(const std::string& roomId, const std::string& recordingId) {
  if (!available() || !validRecordingName(roomId) || !validRecordingName(recordingId)) return RemoveResult::NotFound;
  const std::string directory = recordingDirectory(roomId, recordingId);
  std::error_code error;
  if (!fs::is_directory(directory, error)) return RemoveResult::NotFound;
  if (running(roomId, recordingId)) return RemoveResult::Running;  // recording, or finishing its files
  if (const auto state = readRecordingState(directory); state && state->render == "rendering") {
    return RemoveResult::Running;
  }
  fs::remove_all(directory, error);
  spdlog::info("recording {} of room {} deleted", recordingId, roomId);
  return error ? RemoveResult::NotFound : RemoveResult::Removed;
}

std::size_t RecordingService::resumeRenders() {
  if (!available() || !renders_) return 0;
  std::size_t queued = 0;
  std::error_code error;
  for (const auto& room : fs::directory_iterator(settings_.directory, error)) {
    const std::string roomId = room.path().filename().string();
    if (!room.is_directory() || !validRecordingName(roomId)) continue;
    std::error_code inner;
    for (const auto& entry : fs::directory_iterator(room.path(), inner)) {
      const std::string recordingId = entry.path().filename().string();
      if (!entry.is_directory() || !validRecordingName(recordingId)) continue;
      const std::string directory = recordingDirectory(roomId, recordingId);
      const auto state = readRecordingState(directory);
      if (!state || state->state == "recording" || (state->render != "pending" && state->render != "rendering")) continue;
      if (!record::readManifest(directory)) continue;  // nothing to plan a composite from
      if (renders_->submit(roomId, recordingId, directory)) ++queued;
    }
  }
  if (queued) spdlog::info("{} composite(s) left unfinished by the last run queued again", queued);
  return queued;
}

std::size_t RecordingService::expire(std::int64_t now) {
  if (!available() || settings_.retentionDays <= 0) return 0;
  const std::int64_t limit = now - std::int64_t{settings_.retentionDays} * 24 * 3600 * 1000;
  std::size_t removed = 0;
  std::error_code error;
  for (const auto& room : fs::directory_iterator(settings_.directory, error)) {
    if (!room.is_directory()) continue;
    const std::string roomId = room.path().filename().string();
    for (const auto& listing : list(roomId)) {
      if (listing.state == "recording" || listing.startedAt == 0 || listing.startedAt >= limit) continue;
      std::error_code ignored;
      fs::remove_all(recordingDirectory(roomId, listing.id), ignored);
      spdlog::info("recording {} of room {} deleted: older than {} days (--recording-retention-days)", listing.id,
                   roomId, settings_.retentionDays);
      ++removed;
    }
  }
  expired_ += removed;
  return removed;
}

bool RecordingService::running(const std::string& roomId, const std::string& recordingId) const {
  if (const auto active = current(roomId); active && active->recordingId == recordingId) return true;
  const std::string directory = recordingDirectory(roomId, recordingId);
  return std::any_of(finishing_.begin(), finishing_.end(),
                     [&](const auto& r) { return !r->ended() && r->directory() == directory; });
}

void RecordingService::drain() {
  while (!active_.empty()) stop(active_.begin()->first);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (const auto& recording : finishing_) {
    while (!recording->done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  finishing_.clear();
}

std::string RecordingService::renderMetrics() const {
  std::uint64_t dropped = 0;
  std::int64_t writerCpu = finishedWriterCpuMicros_;
  for (const auto& [room, active] : active_) {
    dropped += active.recording->packetsDropped();
    writerCpu += active.recording->writerCpuMicros();
  }
  for (const auto& recording : finishing_) writerCpu += recording->writerCpuMicros();
  return "# HELP parley_recordings_active Rooms being recorded.\n# TYPE parley_recordings_active gauge\n"
         "parley_recordings_active " + std::to_string(active_.size()) +
         "\n# HELP parley_recordings_started_total Recordings started.\n# TYPE parley_recordings_started_total counter\n"
         "parley_recordings_started_total " + std::to_string(started_) +
         "\n# HELP parley_recordings_refused_total Recordings refused: the server records as many rooms as it may.\n"
         "# TYPE parley_recordings_refused_total counter\nparley_recordings_refused_total " + std::to_string(refused_) +
         "\n# HELP parley_recordings_expired_total Recordings deleted after the retention period.\n"
         "# TYPE parley_recordings_expired_total counter\nparley_recordings_expired_total " + std::to_string(expired_) +
         "\n# HELP parley_recording_packets_dropped Packets the running recordings had no room for.\n"
         "# TYPE parley_recording_packets_dropped gauge\nparley_recording_packets_dropped " + std::to_string(dropped) +
         "\n# HELP parley_recording_writer_cpu_seconds_total CPU time of the recordings' writer threads (updated each second).\n"
         "# TYPE parley_recording_writer_cpu_seconds_total counter\nparley_recording_writer_cpu_seconds_total " +
         std::to_string(static_cast<double>(writerCpu) / 1e6) + "\n";
}

}  // namespace parley::meeting
