#pragma once
// Turns one video track's RTP packets, in the order they arrive (late retransmissions,
// reordering and losses included), into whole frames in order for the recording's file.
// A frame goes out when every packet from the one after the previous frame to its marker is
// there; a gap that is not filled within kMaxWaitMicros (a retransmission's time) loses the
// frame, and then nothing goes out until the next key frame (a decoder cannot use frames
// that refer to a lost one): needsKeyFrame() says so, for the caller to ask the publisher.
// One per video track, on the recording's writer thread; holds at most kMaxPackets.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "record/RtpDepacketizer.h"
#include "record/Unwrapper.h"

namespace parley::record {

struct VideoFrame {
  std::vector<std::uint8_t> data;  // VP8 frame, or H.264 access unit in Annex B
  std::int64_t timestamp = 0;      // RTP timestamp, unwrapped (90 kHz)
  bool keyFrame = false;
};

class FrameAssembler {
 public:
  static constexpr std::int64_t kMaxWaitMicros = 300000;
  static constexpr std::size_t kMaxPackets = 2048;

  explicit FrameAssembler(VideoCodec codec) : codec_(codec) {}

  // A packet as it arrives; `nowMicros` is its arrival time (a steady clock).
  void push(std::uint16_t sequence, std::uint32_t timestamp, bool marker, std::span<const std::uint8_t> payload,
            std::int64_t nowMicros);
  // The next whole frame, if one is ready; gaps older than kMaxWaitMicros at `nowMicros`
  // are given up on first.
  std::optional<VideoFrame> pop(std::int64_t nowMicros) { return next(nowMicros, false); }
  // At the end: the next whole frame, gaps given up on at once (no retransmission is coming).
  std::optional<VideoFrame> popLast() { return next(0, true); }

  bool needsKeyFrame() const { return !next_; }
  std::uint64_t framesLost() const { return framesLost_; }
  std::uint64_t packetsDiscarded() const { return packetsDiscarded_; }

 private:
  struct Packet {
    std::int64_t timestamp;
    bool marker;
    std::vector<std::uint8_t> payload;
    std::int64_t arrivalMicros;
  };
  // Drops packets before the next key frame's first one; that one becomes next_.
  void skipToKeyFrame();
  // The frame starting at next_: out if all of it is here, nothing if some is missing;
  // `corrupt` when what is here cannot be a frame (then it is dropped).
  std::optional<VideoFrame> takeWholeFrame(bool& corrupt);
  // The frame at next_ is lost: counted, and the next key frame awaited.
  void loseFrame();
  std::optional<VideoFrame> next(std::int64_t nowMicros, bool last);

  VideoCodec codec_;
  std::map<std::int64_t, Packet> packets_;  // by unwrapped sequence number
  std::optional<std::int64_t> next_;        // the sequence number the next frame starts at
  Unwrapper<std::uint16_t> sequences_;
  Unwrapper<std::uint32_t> timestamps_;
  std::int64_t waitingSince_ = 0;  // when the frame at next_ was first found incomplete
  std::uint64_t framesLost_ = 0, packetsDiscarded_ = 0;
};

}  // namespace parley::record
