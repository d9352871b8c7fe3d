#pragma once
// The media plane as the control plane sees it: start the workers, place each participant
// on one (WorkerPlacement: a room stays on one worker until it outgrows it), link the
// workers a room spans, and pass commands on. Control thread only; events come back on it.
#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/AudioTap.h"
#include "sfu/RecordingTap.h"
#include "sfu/MediaTypes.h"
#include "sfu/PipeRing.h"
#include "sfu/WorkerPlacement.h"

namespace parley::sfu {

class Worker;

class MediaService {
 public:
  // `onEvent` runs on `control`'s thread.
  MediaService(const MediaConfig& config, boost::asio::io_context& control,
               std::function<void(const MediaEvent&)> onEvent);
  ~MediaService();
  MediaService(const MediaService&) = delete;
  MediaService& operator=(const MediaService&) = delete;

  void join(const std::string& roomId, const std::string& participantId);
  void leave(const std::string& roomId, const std::string& participantId);
  void publish(const std::string& roomId, const std::string& participantId, std::string offer,
               std::map<std::string, TrackSource> sources);
  void subscriberAnswer(const std::string& roomId, const std::string& participantId, std::string answer);
  void showTracks(const std::string& roomId, const std::string& participantId, std::vector<ShownTrack> shown);

  // Hands the room's microphones to `tap` (null to stop), on each worker of the room.
  void setAudioTap(const std::string& roomId, std::shared_ptr<AudioTap> tap);
  // The room's recording receives every track published in it (null: it stops); applied to
  // workers that host the room later too.
  void setRecordingTap(const std::string& roomId, std::shared_ptr<RecordingTap> tap);

  std::vector<std::uint16_t> ports() const;
  std::string renderMetrics() const;
  // This server's load as placement counts it (control thread): the streams (a track to a
  // subscriber) its participants are estimated to take.
  std::size_t placedStreams() const;

 private:
  Worker* workerOf(const std::string& roomId, const std::string& participantId) const;
  void linkWorkers(unsigned a, unsigned b);
  void updatePeers(const std::string& roomId);

  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<WorkerPlacement> placement_;
  std::vector<std::unique_ptr<PipeRing>> pipes_;  // [from * workers + to], made when first needed
  std::unordered_map<std::string, std::shared_ptr<AudioTap>> taps_;  // applied when a room is placed
  std::unordered_map<std::string, std::shared_ptr<RecordingTap>> recordingTaps_;  // likewise
};

}  // namespace parley::sfu
