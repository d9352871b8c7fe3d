#pragma once
// Where a room's recording receives its tracks: the worker that a track is published on
// hands over each of its packets as it forwards it, video already made one continuous
// stream (the best layer flowing of a simulcast camera, switched at key frames). Called on
// media threads (a room spread over several workers calls from each of them, possibly at the
// same time): implementations only copy and return (no locks, no allocation). A packet the
// implementation has no room for is its own to count.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "sfu/MediaTypes.h"

namespace parley::sfu {

class RecordingTap {
 public:
  virtual ~RecordingTap() = default;
  // A track starts: `trackId` names it in onPacket (unique in the process). False if it
  // could not be taken now: it is announced again with its next packet.
  virtual bool onTrack(std::uint32_t trackId, const std::string& ownerId, TrackSource source, MediaKind kind,
                       const std::string& codec) = 0;
  // One RTP packet's fields and payload; `arrivalMicros` on the steady clock.
  virtual void onPacket(std::uint32_t trackId, std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                        std::span<const std::uint8_t> payload, std::int64_t arrivalMicros) = 0;
  // Whether the recording lost a frame of this video track and needs a key frame to go on.
  // Asked at most every few hundred milliseconds a track; clears the wish.
  virtual bool takeKeyFrameWish(std::uint32_t trackId) = 0;
};

}  // namespace parley::sfu
