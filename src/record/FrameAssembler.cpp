#include "record/FrameAssembler.h"

namespace parley::record {

namespace {
bool startsFrame(VideoCodec codec, std::span<const std::uint8_t> payload) {
  return codec == VideoCodec::Vp8 ? startsVp8Frame(payload) : startsH264Frame(payload);
}
bool appendTo(VideoCodec codec, std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& frame) {
  return codec == VideoCodec::Vp8 ? appendVp8(payload, frame) : appendH264(payload, frame);
}
}  // namespace

void FrameAssembler::push(std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                          std::span<const std::uint8_t> payload, std::int64_t nowMicros) {
  const std::int64_t seq = sequences_.unwrap(sequence);
  const std::int64_t ts = timestamps_.unwrap(timestamp);
  if (next_ && seq < *next_) {  // its frame went out or was given up on
    ++packetsDiscarded_;
    return;
  }
  if (packets_.size() >= kMaxPackets) {  // a stream that never completes a frame
    packetsDiscarded_ += packets_.size();
    packets_.clear();
    loseFrame();
  }
  packets_.try_emplace(seq, Packet{ts, marker, std::vector<std::uint8_t>(payload.begin(), payload.end()), nowMicros});
}

void FrameAssembler::loseFrame() {
  if (next_) ++framesLost_;
  next_.reset();
  waitingSince_ = 0;
}

void FrameAssembler::skipToKeyFrame() {
  for (auto it = packets_.begin(); it != packets_.end();) {
    if (startsKeyFrame(codec_, it->second.payload)) {
      next_ = it->first;
      return;
    }
    // Packets of frames older than the newest one cannot start a key frame any more; the
    // newest frame's may still be waiting for its first packet.
    if (it->second.timestamp < *timestamps_.newest()) {
      ++packetsDiscarded_;
      it = packets_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<VideoFrame> FrameAssembler::takeWholeFrame(bool& corrupt) {
  corrupt = false;
  const auto first = packets_.find(*next_);
  if (first == packets_.end()) return std::nullopt;
  if (!startsFrame(codec_, first->second.payload)) {
    corrupt = true;
    return std::nullopt;
  }
  const std::int64_t timestamp = first->second.timestamp;
  auto last = first;
  for (;;) {
    if (last->second.marker) break;
    const auto following = packets_.find(last->first + 1);
    if (following == packets_.end()) return std::nullopt;
    if (following->second.timestamp != timestamp) break;  // the marker bit was not set
    last = following;
  }
  VideoFrame frame;
  frame.timestamp = timestamp;
  frame.keyFrame = startsKeyFrame(codec_, first->second.payload);
  const auto end = std::next(last);
  for (auto it = first; it != end; ++it) {
    if (!appendTo(codec_, it->second.payload, frame.data)) corrupt = true;
  }
  next_ = last->first + 1;
  packets_.erase(first, end);
  if (corrupt) return std::nullopt;
  return frame;
}

std::optional<VideoFrame> FrameAssembler::next(std::int64_t nowMicros, bool last) {
  for (;;) {
    if (!next_) {
      skipToKeyFrame();
      if (!next_) return std::nullopt;
    }
    bool corrupt = false;
    auto frame = takeWholeFrame(corrupt);
    if (frame) {
      waitingSince_ = 0;
      return frame;
    }
    if (corrupt) {
      loseFrame();
      continue;
    }
    if (packets_.empty()) return std::nullopt;  // nothing of it is here yet
    if (!last) {
      if (waitingSince_ == 0) waitingSince_ = nowMicros;
      if (nowMicros - waitingSince_ < kMaxWaitMicros) return std::nullopt;
    }
    // Given up: what is here of the lost frame goes with it.
    const std::int64_t lostTimestamp = packets_.begin()->second.timestamp;
    while (!packets_.empty() && packets_.begin()->second.timestamp <= lostTimestamp &&
           !startsKeyFrame(codec_, packets_.begin()->second.payload)) {
      ++packetsDiscarded_;
      packets_.erase(packets_.begin());
    }
    loseFrame();
  }
}

}  // namespace parley::record
