#pragma once
// One outgoing video stream made from packets of several sources (the layers of a simulcast
// camera: each its own SSRC, sequence numbers, timestamps and VP8 PictureIDs), so that the
// subscriber's decoder sees one continuous stream through every switch of layer:
// - sequence numbers run on without gaps, also where packets were left out on purpose
//   (a temporal layer dropped: drop());
// - a new source starts at one of its key frames, its timestamps shifted to follow the last
//   ones sent by the time that passed, its PictureIDs following the last one and its
//   TL0PICIDX the last one plus one.
// The caller chooses the target source (switchTo) and rewrites the packet with what
// forward() returns. One per subscriber's video track, on its worker thread; no allocation.
#include <cstdint>
#include <optional>

#include "rtp/Vp8Descriptor.h"
#include "sfu/SequenceMapper.h"

namespace parley::sfu {

class VideoStreamRewriter {
 public:
  static constexpr std::uint32_t kClockRate = 90000;  // every video codec in RTP

  struct Packet {
    std::uint32_t source;  // the SSRC it came on
    std::uint16_t sequence;
    std::uint32_t timestamp;
    std::int64_t arrivalMicros;
    bool keyFrame;  // starts a key frame
    const rtp::Vp8Descriptor* vp8 = nullptr;  // null for other codecs
  };
  struct Rewritten {
    std::uint16_t sequence;
    std::uint32_t timestamp;
    std::uint16_t pictureId;  // for a VP8 descriptor that has one (masked to its size there)
    std::uint8_t tl0PicIdx;
  };

  // From the next key frame of `source` on, the stream carries that source.
  void switchTo(std::uint32_t source) { target_ = source; }
  std::optional<std::uint32_t> current() const { return current_; }
  std::optional<std::uint32_t> target() const { return target_; }
  // Nothing goes out until the target's next key frame, which then continues the numbering
  // (a paused track coming back).
  void pause() { current_.reset(); }
  std::uint32_t timestampOffset() const { return timestampOffset_; }
  // Waiting for a key frame of the target (the caller asks the publisher for one).
  bool switching() const { return target_ && target_ != current_; }

  // What `packet` becomes, or nothing if it is not to be sent: from a source other than the
  // current one (unless it is the target's key frame, which makes the switch), or too late.
  std::optional<Rewritten> forward(const Packet& packet);
  // A packet of the current source left out on purpose (its frame's temporal layer is not
  // wanted); `wholeFrame`: the last packet of that frame, whose PictureID then leaves no gap.
  void drop(const Packet& packet, bool lastOfFrame);

 private:
  void startSource(const Packet& packet);

  std::optional<std::uint32_t> current_, target_;
  SequenceMapper<16> sequences_;
  SequenceMapper<15> pictureIds_;
  std::uint32_t timestampOffset_ = 0;
  std::uint8_t tl0Offset_ = 0;
  // The last packet sent: its output timestamp and when its input arrived.
  std::uint32_t lastTimestamp_ = 0;
  std::int64_t lastArrivalMicros_ = 0;
  std::uint8_t lastTl0_ = 0;
  bool sentAny_ = false;
};

}  // namespace parley::sfu
