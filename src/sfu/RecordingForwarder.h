#pragma once
// Hands the tracks published on this worker to the room's recording (a RecordingTap), as
// they are forwarded: audio as it comes, video as one continuous stream of the best layer
// flowing (the layers of a simulcast camera switched at key frames by a VideoStreamRewriter,
// as for a subscriber who shows the track full size), and the recording's wishes for key
// frames passed to the publisher. Piped copies of tracks from other workers are recorded at
// their origin, not here. One per router, on its worker's thread; state per track is made
// when its first packet is recorded.
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "rtp/RtpPacket.h"
#include "sfu/Producer.h"
#include "sfu/RecordingTap.h"
#include "sfu/VideoStreamRewriter.h"

namespace parley::sfu {

class RecordingForwarder {
 public:
  static constexpr std::int64_t kKeyFrameCheckMicros = 200000;

  void setTap(std::shared_ptr<RecordingTap> tap);
  bool recording() const { return tap_ != nullptr; }
  // A packet `producer` received from its publisher on `layer` (RTX unwrapped).
  void onPacket(Producer& producer, int layer, const rtp::RtpPacket& packet, bool keyFrame,
                const rtp::Vp8Descriptor* vp8, std::int64_t nowMicros);
  void onProducerClosed(const Producer& producer) { tracks_.erase(producer.pipeId()); }

 private:
  struct Track {
    bool announced = false;
    VideoStreamRewriter rewriter;
    std::int64_t lastKeyFrameCheck = 0;
  };
  // Points the rewriter at the best layer flowing; asks for its key frame when it changes or
  // the recording wants one.
  void chooseLayer(Producer& producer, Track& track, std::int64_t nowMicros);

  std::shared_ptr<RecordingTap> tap_;
  std::unordered_map<std::uint32_t, Track> tracks_;  // by the producer's pipe id
};

}  // namespace parley::sfu
