#include "sfu/VideoStreamRewriter.h"

#include <algorithm>

namespace parley::sfu {

void VideoStreamRewriter::startSource(const Packet& packet) {
  current_ = packet.source;
  if (!sentAny_) {
    // The first source sets the numbering; the consumer's own offsets come on top.
    sequences_.restart(packet.sequence, packet.sequence);
    timestampOffset_ = 0;
    if (packet.vp8 && packet.vp8->pictureId) pictureIds_.restart(*packet.vp8->pictureId, *packet.vp8->pictureId);
    tl0Offset_ = 0;
    return;
  }
  sequences_.restart(packet.sequence, sequences_.lastOut() + 1);
  // Timestamps: the new source's key frame follows the last frame sent by the wall-clock
  // time between them (at least one tick: never the same frame twice).
  const std::int64_t elapsed = std::max<std::int64_t>(0, packet.arrivalMicros - lastArrivalMicros_);
  const auto ticks = static_cast<std::uint32_t>(std::max<std::int64_t>(1, elapsed * kClockRate / 1000000));
  timestampOffset_ = lastTimestamp_ + ticks - packet.timestamp;
  if (packet.vp8 && packet.vp8->pictureId) {
    pictureIds_.restart(*packet.vp8->pictureId, pictureIds_.started() ? pictureIds_.lastOut() + 1 : *packet.vp8->pictureId);
  }
  if (packet.vp8 && packet.vp8->tl0PicIdx) tl0Offset_ = static_cast<std::uint8_t>(lastTl0_ + 1 - *packet.vp8->tl0PicIdx);
}

std::optional<VideoStreamRewriter::Rewritten> VideoStreamRewriter::forward(const Packet& packet) {
  if (packet.source != current_) {
    // Only the target's key frame changes the source (with no target, the first key frame
    // of any source starts the stream).
    const bool wanted = target_ ? packet.source == *target_ : !current_;
    if (!wanted || !packet.keyFrame) return std::nullopt;
    startSource(packet);
  }
  const auto sequence = sequences_.forward(packet.sequence);
  if (!sequence) return std::nullopt;
  Rewritten out{static_cast<std::uint16_t>(*sequence), packet.timestamp + timestampOffset_, 0, 0};
  if (packet.vp8 && packet.vp8->pictureId) {
    const auto pictureId = pictureIds_.forward(*packet.vp8->pictureId);
    if (!pictureId) return std::nullopt;
    out.pictureId = static_cast<std::uint16_t>(*pictureId);
  }
  if (packet.vp8 && packet.vp8->tl0PicIdx) out.tl0PicIdx = static_cast<std::uint8_t>(*packet.vp8->tl0PicIdx + tl0Offset_);
  // Only the newest packet moves "the last one sent" (a late one must not pull the next
  // source's timestamps back).
  if (*sequence == sequences_.lastOut()) {
    lastTimestamp_ = out.timestamp;
    lastArrivalMicros_ = packet.arrivalMicros;
    if (packet.vp8 && packet.vp8->tl0PicIdx) lastTl0_ = out.tl0PicIdx;
  }
  sentAny_ = true;
  return out;
}

void VideoStreamRewriter::drop(const Packet& packet, bool lastOfFrame) {
  if (packet.source != current_) return;  // never entered the stream: nothing to close up
  sequences_.drop(packet.sequence);
  if (lastOfFrame && packet.vp8 && packet.vp8->pictureId) pictureIds_.drop(*packet.vp8->pictureId);
}

}  // namespace parley::sfu
