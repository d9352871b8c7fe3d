#pragma once
// Live transcription for the server: which rooms are transcribed (at most a configured
// number at once), each a RoomTranscriber fed by the room's media workers, all sharing one
// RecognizerPool. Segments reach the control thread addressed by room and transcription id,
// never by a pointer to a room: the room may be gone by the time they arrive.
//
// Thread contract: start(), stop(), transcribing() and drain() on the control thread. Stopping
// detaches the room's tap at once and finishes the transcriber (the utterances in progress
// are recognized) on a thread of the service's own, so the control thread never waits for
// recognition, except in drain() at shutdown.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "meeting/RoomTranscriber.h"
#include "sfu/MediaService.h"
#include "transcribe/RecognizerPool.h"

namespace parley::meeting {

struct TranscriptionLimits {
  std::size_t maxRooms = 4;  // rooms transcribed at once
  std::chrono::steady_clock::duration finishDeadline = std::chrono::seconds(10);  // per stop
};

class TranscriptionService {
 public:
  using Post = std::function<void(std::function<void()>)>;  // run on the control thread
  // Runs on the control thread, for every segment (partial or final) of every room.
  using SegmentSink =
      std::function<void(const std::string& roomId, std::int64_t transcriptionId, const transcribe::LiveSegment&)>;

  TranscriptionService(sfu::MediaService* media, std::shared_ptr<transcribe::RecognizerPool> recognizers,
                       Post postToControl, SegmentSink sink, transcribe::LiveSettings settings = {},
                       TranscriptionLimits limits = {});
  ~TranscriptionService();
  TranscriptionService(const TranscriptionService&) = delete;
  TranscriptionService& operator=(const TranscriptionService&) = delete;

  // Runs on the control thread once a stopped transcription is finished: its last segments
  // were posted before (so they are stored by then). Set before the first start.
  using Finished = std::function<void(const std::string& roomId, std::int64_t transcriptionId)>;
  void onFinished(Finished finished) { finished_ = std::move(finished); }

  enum class StartResult { Started, AlreadyRunning, Full };
  StartResult start(const std::string& roomId, std::int64_t transcriptionId);
  // Detaches the room's audio and finishes its transcriber in the background.
  void stop(const std::string& roomId);
  bool transcribing(const std::string& roomId) const { return active_.count(roomId) != 0; }
  // The room's audio tap, for tests and tools that feed it without media workers.
  std::shared_ptr<sfu::AudioTap> tapOf(const std::string& roomId) const {
    const auto it = active_.find(roomId);
    return it == active_.end() ? nullptr : it->second.transcriber;
  }
  std::size_t activeCount() const { return active_.size(); }
  std::size_t maxRooms() const { return limits_.maxRooms; }
  // Shutdown: stops every transcription and waits until all are finished, so their last
  // segments have been posted to the control thread before its loop ends. Everything still
  // being recognized after `budget` (all rooms together) is dropped, and counted.
  void drain(std::chrono::steady_clock::duration budget = std::chrono::seconds(5));

  const TranscriberCounters& counters() const { return counters_; }
  std::string renderMetrics() const;

 private:
  void retireLoop();

  sfu::MediaService* media_;
  std::shared_ptr<transcribe::RecognizerPool> recognizers_;
  Post post_;
  SegmentSink sink_;
  transcribe::LiveSettings settings_;
  TranscriptionLimits limits_;
  TranscriberCounters counters_;
  struct Active {
    std::shared_ptr<RoomTranscriber> transcriber;
    std::int64_t transcriptionId = 0;
  };
  std::unordered_map<std::string, Active> active_;  // by room, control thread
  Finished finished_;

  // Transcribers being finished, by the retiring thread.
  std::mutex retireMutex_;
  std::condition_variable retireChanged_;
  struct Retiring {
    std::shared_ptr<RoomTranscriber> transcriber;
    std::string roomId;
    std::int64_t transcriptionId = 0;
  };
  std::deque<Retiring> retiring_;
  std::size_t finishing_ = 0;
  bool stopping_ = false;
  // While draining: when every finish must be done by.
  std::optional<std::chrono::steady_clock::time_point> drainBy_;
  std::thread retirer_;
};

}  // namespace parley::meeting
