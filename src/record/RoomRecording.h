#pragma once
// One room's recording, while it runs: the tracks' packets arrive from the media threads in
// a bounded queue (copied in place; what does not fit is dropped and counted), and a writer
// thread of its own (niced: it yields to media) writes each track to its own file
// (TrackRecorder), and the room's events (joins, leaves, mutes, the active speaker) to
// events.jsonl, in the recording's directory. stop() finishes every file and writes
// manifest.json, which says what each file holds. A write error (a full disk) stops it the
// same way: a reserve file made at the start is deleted first, so the files' endings fit.
//
// Threads: push*, takeKeyFrameWish and the counters from any thread without locks; note()
// and stop() from one control thread; `finished` is called once, on the writer thread.
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/MpscRing.h"
#include "record/RecordedPacket.h"
#include "record/TrackRecorder.h"

namespace parley::record {

struct RecordingOptions {
  std::string directory;  // made by start(); must not exist yet
  std::size_t queueSlots = 4096;
  std::size_t maxTracks = 64;
  std::uint64_t reserveBytes = 8 << 20;  // at most a quarter of the disk's free space
  int niceness = 5;  // the writer thread's: below media, above recognition
  // Bounds (anyone who may moderate a room may record it): the longest a recording lasts
  // (0: no limit), and the free space it leaves on its disk for everything else. Past
  // either, it stops by itself and says why.
  std::int64_t maxDurationMillis = 0;
  std::uint64_t minFreeBytes = 0;
  // The free bytes on the recording's disk (statvfs when not set; tests give their own).
  std::function<std::uint64_t(const std::string& directory)> freeBytes;
  // Called by start() once the directory exists, before anything is written into it.
  std::function<void(const std::string& directory)> created;
};

// A room event, timed by the recording when it is noted.
struct RecordingEvent {
  std::string type;  // "join", "leave", "mute", "unmute", "speaker", "start", "stop"
  std::string participantId;
  std::string name;
  std::string detail;
};

struct RecordingResult {
  std::string error;  // empty when stopped as asked
  std::string limit;  // why it stopped by itself at a bound (its files are whole), or empty
  std::int64_t durationMillis = 0;
  std::vector<TrackSummary> tracks;
  std::uint64_t packetsDropped = 0;
};

class RoomRecording {
 public:
  using Finished = std::function<void(const RecordingResult&)>;

  // Makes the directory and starts the writer; the error's text if it cannot.
  static std::variant<std::unique_ptr<RoomRecording>, std::string> start(RecordingOptions options, Finished finished);
  ~RoomRecording();  // stops, and waits for the writer
  RoomRecording(const RoomRecording&) = delete;
  RoomRecording& operator=(const RoomRecording&) = delete;

  // Media threads. False when the queue is full (counted) or the recording has ended.
  bool pushTrack(std::uint32_t trackId, std::string_view ownerId, TrackKind kind, TrackOrigin origin,
                 std::string_view codec);
  bool pushPacket(std::uint32_t trackId, std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                  std::span<const std::uint8_t> payload, std::int64_t arrivalMicros);
  bool takeKeyFrameWish(std::uint32_t trackId);

  void note(RecordingEvent event);
  void stop();

  std::uint64_t packetsDropped() const { return dropped_.load(std::memory_order_relaxed); }
  // The writer thread's CPU time so far (what recording costs besides the media threads' copy).
  std::int64_t writerCpuMicros() const { return writerCpuMicros_.load(std::memory_order_relaxed); }
  // Takes no more packets: stopped, at a bound or on an error (its files may still be closing).
  bool ended() const { return ended_.load(std::memory_order_acquire); }
  // Its files closed, manifest written and `finished` called: the writer's CPU time is final.
  bool done() const { return done_.load(std::memory_order_acquire); }
  const std::string& directory() const { return options_.directory; }

 private:
  RoomRecording(RecordingOptions options, Finished finished);
  void run();
  // One packet off the queue; the error's text if a file could not be written.
  std::optional<std::string> process(const RecordedPacket& packet);
  void writeEvents(std::int64_t nowMicros);
  // The bound it has reached, if any (checked once a second).
  std::optional<std::string> boundReached(std::int64_t nowMicros);
  // Publishes the writer thread's CPU time (once a second, and at the end).
  void noteWriterCpu(std::int64_t nowMicros);
  void wishKeyFrame(std::uint32_t trackId);
  void finish(std::string error, std::string limit);
  void writeManifest(const RecordingResult& result);

  RecordingOptions options_;
  Finished finished_;
  MpscRing<RecordedPacket> queue_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::int64_t> writerCpuMicros_{0};
  std::atomic<bool> ended_{false};
  std::atomic<bool> done_{false};
  // Tracks whose recording waits for a key frame (0: a free entry).
  std::array<std::atomic<std::uint32_t>, 64> keyFrameWishes_{};

  std::mutex mutex_;  // guards events_ and stopping_, with wake_
  std::condition_variable wake_;
  std::vector<std::pair<std::int64_t, RecordingEvent>> events_;
  bool stopping_ = false;

  // The writer thread's own.
  std::int64_t startMicros_ = 0;
  std::int64_t boundsCheckedMicros_ = 0;
  std::int64_t cpuNotedMicros_ = 0;
  std::vector<std::unique_ptr<TrackRecorder>> tracks_;
  std::string eventsPath_;
  std::thread writer_;
};

}  // namespace parley::record
