#pragma once
// What a room's control plane asks of the media plane, by room and participant id: the
// local MediaService, or on a cluster routing::ClusterMedia, which places each participant's
// media on a node and drives that node's MediaService. Answers come back as MediaEvents, on
// the control thread, by the same ids.
#include <map>
#include <string>
#include <vector>

#include "sfu/MediaTypes.h"

namespace parley::sfu {

class MediaPlane {
 public:
  virtual ~MediaPlane() = default;
  virtual void join(const std::string& roomId, const std::string& participantId) = 0;
  virtual void leave(const std::string& roomId, const std::string& participantId) = 0;
  virtual void publish(const std::string& roomId, const std::string& participantId, std::string offer,
                       std::map<std::string, TrackSource> sources) = 0;
  virtual void subscriberAnswer(const std::string& roomId, const std::string& participantId, std::string answer) = 0;
  virtual void showTracks(const std::string& roomId, const std::string& participantId,
                          std::vector<ShownTrack> shown) = 0;
};

}  // namespace parley::sfu
