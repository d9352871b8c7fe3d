#pragma once
// A room's recording as the media workers see it (an sfu::RecordingTap): tracks and packets
// go into the RoomRecording's queue as they are forwarded. Held by the workers of the room
// while it records; it keeps the recording alive until the last of them lets go.
#include <memory>

#include "record/RoomRecording.h"
#include "sfu/RecordingTap.h"

namespace parley::meeting {

class RecordingTapAdapter : public sfu::RecordingTap {
 public:
  explicit RecordingTapAdapter(std::shared_ptr<record::RoomRecording> recording) : recording_(std::move(recording)) {}

  bool onTrack(std::uint32_t trackId, const std::string& ownerId, sfu::TrackSource source, sfu::MediaKind kind,
               const std::string& codec) override {
    return recording_->pushTrack(trackId, ownerId, kind == sfu::MediaKind::Audio ? record::TrackKind::Audio
                                                                                 : record::TrackKind::Video,
                                 origin(source), codec);
  }
  void onPacket(std::uint32_t trackId, std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                std::span<const std::uint8_t> payload, std::int64_t arrivalMicros) override {
    recording_->pushPacket(trackId, sequence, timestamp, marker, payload, arrivalMicros);
  }
  bool takeKeyFrameWish(std::uint32_t trackId) override { return recording_->takeKeyFrameWish(trackId); }

 private:
  static record::TrackOrigin origin(sfu::TrackSource source) {
    switch (source) {
      case sfu::TrackSource::Camera: return record::TrackOrigin::Camera;
      case sfu::TrackSource::Microphone: return record::TrackOrigin::Microphone;
      case sfu::TrackSource::Screen: return record::TrackOrigin::Screen;
      case sfu::TrackSource::ScreenAudio: return record::TrackOrigin::ScreenAudio;
    }
    return record::TrackOrigin::Camera;
  }

  std::shared_ptr<record::RoomRecording> recording_;
};

}  // namespace parley::meeting
