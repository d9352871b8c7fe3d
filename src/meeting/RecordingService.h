#pragma once
// Recordings for the server: which rooms record (at most a configured number at once), each
// a RoomRecording fed by the room's media workers and writing under
// DIRECTORY/ROOM/RECORDING/, and what is on disk (listed, removed, expired after the
// retention period). Every recording's directory has a state.json this service keeps
// (recording, stopped, failed) beside the recording's own manifest.json. Reports reach the
// control thread addressed by room and recording id, never by a pointer to a room.
//
// Thread contract: everything on the control thread; `report` runs there too (through `post`).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "meeting/CompositeRenders.h"
#include "record/RoomRecording.h"
#include "sfu/MediaService.h"

namespace parley::meeting {

struct RecordingSettings {
  std::string directory;   // empty: recording is not available
  int retentionDays = 0;   // 0: kept until removed
  std::size_t maxRooms = 8;  // recorded at once
  std::size_t queueSlots = 4096;
  std::int64_t maxDurationMillis = 4 * 3600 * 1000;  // 0: no limit
  std::uint64_t minFreeBytes = 512ull << 20;          // kept free on the recordings' disk
  std::function<std::uint64_t(const std::string&)> freeBytes;  // tests' own; statvfs otherwise
  bool renderComposites = true;
  record::RenderSettings render;
};

// One recording as listed: its state file and manifest read together.
struct RecordingListing {
  std::string id;
  std::string state;  // "recording", "stopped", "failed"
  std::int64_t startedAt = 0, stoppedAt = 0;  // unix milliseconds
  std::int64_t durationMillis = 0;
  std::uint64_t bytes = 0;
  std::string error;
  std::string render;  // the composite: "pending", "rendering", "ready", "failed" (empty: none asked)
  double renderProgress = 0;
  std::string renderError;
  struct File {
    std::string name, kind, participant, source;
    std::string participantName;  // as they were named in the meeting (events.jsonl)
    std::uint64_t bytes = 0;
  };
  std::vector<File> files;
};

struct RecordingReport {
  // Stopped: its files are complete; Failed: it stopped by itself on an error, Limited: at a
  // bound (its files are complete; error says which); Rendered or RenderFailed: its composite.
  enum class Kind { Stopped, Failed, Limited, Rendered, RenderFailed };
  std::string roomId, recordingId;
  Kind kind = Kind::Stopped;
  std::string error;
  std::int64_t durationMillis = 0;
};

class RecordingService {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using Report = std::function<void(const RecordingReport&)>;

  RecordingService(RecordingSettings settings, sfu::MediaService* media, Post post, Report report);
  ~RecordingService();
  RecordingService(const RecordingService&) = delete;
  RecordingService& operator=(const RecordingService&) = delete;

  bool available() const { return !settings_.directory.empty() && settings_.maxRooms > 0; }
  enum class StartError { Unavailable, AlreadyRunning, Full, Disk };
  struct Started {
    std::string recordingId;
    std::int64_t startedAt = 0;
  };
  // `problem` gets the disk's error text for StartError::Disk.
  std::variant<Started, StartError> start(const std::string& roomId, std::int64_t nowUnixMillis, std::string* problem);
  // Detaches the room's tracks and lets the writer finish in the background; the report
  // comes when its files are complete.
  bool stop(const std::string& roomId);
  bool recording(const std::string& roomId) const { return active_.count(roomId) != 0; }
  std::optional<Started> current(const std::string& roomId) const;
  void note(const std::string& roomId, record::RecordingEvent event);

  std::vector<RecordingListing> list(const std::string& roomId) const;
  // The path of a file of a finished recording, if it is one.
  std::optional<std::string> filePath(const std::string& roomId, const std::string& recordingId,
                                      const std::string& fileName) const;
  enum class RemoveResult { Removed, NotFound, Running };
  RemoveResult remove(const std::string& roomId, const std::string& recordingId);
  // Server start: composites that a stopped server left "pending" or "rendering" are queued
  // again (the rest of a full queue fail, saying so). Returns how many were queued.
  std::size_t resumeRenders();
  // Deletes the recordings older than the retention period (logged); returns how many.
  std::size_t expire(std::int64_t nowUnixMillis);
  // Shutdown: stops every recording and waits for their files to be complete (composites
  // not rendered yet stay "pending").
  void drain();

  std::size_t activeCount() const { return active_.size(); }
  std::string renderMetrics() const;

 private:
  // Drops the stopped recordings that are done, keeping their writers' CPU time.
  void forgetFinished();
  struct Active {
    std::string recordingId;
    std::int64_t startedAt = 0;
    std::shared_ptr<record::RoomRecording> recording;
  };
  std::string recordingDirectory(const std::string& roomId, const std::string& recordingId) const;
  // One recording as listed (its state file, manifest and names), if it has a state file.
  std::optional<RecordingListing> listing(const std::string& roomId, const std::string& recordingId) const;
  // Recording, or stopped with its files not finished yet.
  bool running(const std::string& roomId, const std::string& recordingId) const;

  RecordingSettings settings_;
  sfu::MediaService* media_;
  Post post_;
  Report report_;
  std::unordered_map<std::string, Active> active_;
  // Stopped, not finished yet: kept so that drain() can wait for them.
  std::vector<std::shared_ptr<record::RoomRecording>> finishing_;
  std::shared_ptr<CompositeRenders> renders_;  // the only owner; writers hold it weakly
  std::uint64_t started_ = 0, expired_ = 0, refused_ = 0;
  std::int64_t finishedWriterCpuMicros_ = 0;  // of the recordings no longer held
};

// Whether a recording id or file name from a URL can be one of ours (no path tricks).
bool validRecordingName(std::string_view name);

}  // namespace parley::meeting
