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
#include "sfu/MediaPlane.h"
#include "sfu/MediaTypes.h"
#include "sfu/PipeRing.h"
#include "sfu/RemoteLinks.h"
#include "sfu/WorkerPlacement.h"

namespace parley::sfu {

class Worker;

// The tracks an offer sends: what each other participant will receive of this one (0 if it
// does not parse).
std::size_t sentTracks(const std::string& offer);

class MediaService : public MediaPlane {
 public:
  // `onEvent` runs on `control`'s thread. With `remoteLinks`, rooms can also span other
  // nodes (the cascade: setRemoteShards).
  MediaService(const MediaConfig& config, boost::asio::io_context& control,
               std::function<void(const MediaEvent&)> onEvent, RemoteLinksFactory remoteLinks = {});
  ~MediaService() override;
  MediaService(const MediaService&) = delete;
  MediaService& operator=(const MediaService&) = delete;

  void join(const std::string& roomId, const std::string& participantId) override;
  void leave(const std::string& roomId, const std::string& participantId) override;
  void publish(const std::string& roomId, const std::string& participantId, std::string offer,
               std::map<std::string, TrackSource> sources) override;
  void subscriberAnswer(const std::string& roomId, const std::string& participantId, std::string answer) override;
  void showTracks(const std::string& roomId, const std::string& participantId, std::vector<ShownTrack> shown) override;

  // Hands the room's microphones to `tap` (null to stop), on each worker of the room.
  void setAudioTap(const std::string& roomId, std::shared_ptr<AudioTap> tap);
  // The room's recording receives every track published in it (null: it stops); applied to
  // workers that host the room later too.
  void setRecordingTap(const std::string& roomId, std::shared_ptr<RecordingTap> tap);

  // The cascade (a room across nodes). The room's shards on other nodes, as the room's home
  // knows them, and whether this node leads the room's media (reports its speaker, taps and
  // records what other nodes cascade to it): the home does.
  // `secret`: the cluster's, which keys the links.
  void setRemoteShards(const std::string& roomId, std::vector<RemoteShard> shards, bool leads,
                       const std::string& secret);
  // The workers hosting the room here, with their cascade ports.
  std::vector<std::pair<unsigned, std::uint16_t>> localShards(const std::string& roomId) const;
  // Called on the control thread when the workers hosting a room here change.
  void setShardsListener(std::function<void(const std::string& roomId)> listener) { shardsListener_ = std::move(listener); }
  bool cascades() const { return cascades_; }

  std::vector<std::uint16_t> ports() const;
  std::string renderMetrics() const;
  // This server's load as placement counts it (control thread): the streams (a track to a
  // subscriber) its participants are estimated to take.
  std::size_t placedStreams() const;

 private:
  Worker* workerOf(const std::string& roomId, const std::string& participantId) const;
  void linkWorkers(unsigned a, unsigned b);
  void updatePeers(const std::string& roomId);
  // Tells every worker what `slot` names now, with the links' current secret.
  void attachEverywhere(unsigned slot);

  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<WorkerPlacement> placement_;
  std::vector<std::unique_ptr<PipeRing>> pipes_;  // [from * workers + to], made when first needed
  std::unordered_map<std::string, std::shared_ptr<AudioTap>> taps_;  // applied when a room is placed
  std::unordered_map<std::string, std::shared_ptr<RecordingTap>> recordingTaps_;  // likewise
  bool cascades_ = false;
  // Remote shards get a slot each, the same on every worker, kept while the process lives
  // (a cluster has a few nodes of a few workers).
  std::map<std::pair<std::string, unsigned>, unsigned> remoteSlots_;
  std::vector<RemoteShard> slotShards_;
  std::string secret_;  // the one the workers' links were keyed with
  struct RemoteRoom {
    std::vector<unsigned> slots;
    bool leads = true;
  };
  std::unordered_map<std::string, RemoteRoom> remoteRooms_;
  std::function<void(const std::string&)> shardsListener_;
};

}  // namespace parley::sfu
