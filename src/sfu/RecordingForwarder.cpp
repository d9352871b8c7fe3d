#include "sfu/RecordingForwarder.h"


namespace parley::sfu {

void RecordingForwarder::setTap(std::shared_ptr<RecordingTap> tap) {
  tap_ = std::move(tap);
  tracks_.clear();  // a new recording announces every track again
}

void RecordingForwarder::chooseLayer(Producer& producer, Track& track, std::int64_t now) {
  const auto target = track.rewriter.target();
  const int current = target ? static_cast<int>(*target) : kNoLayer;
  const int chosen = producer.simulcast() ? producer.chooseLayer(kAnyHeight, current, false, now) : 0;
  if (chosen == kNoLayer) return;
  bool wantKeyFrame = false;
  if (!target || static_cast<int>(*target) != chosen) {
    track.rewriter.switchTo(static_cast<std::uint32_t>(chosen));
    wantKeyFrame = true;
  }
  if (now - track.lastKeyFrameCheck >= kKeyFrameCheckMicros) {
    track.lastKeyFrameCheck = now;
    if (tap_->takeKeyFrameWish(producer.pipeId())) wantKeyFrame = true;
  }
  if (wantKeyFrame || track.rewriter.switching()) producer.requestKeyFrame(chosen);
}

void RecordingForwarder::onPacket(Producer& producer, int layer, const rtp::RtpPacket& packet, bool keyFrame,
                                  const rtp::Vp8Descriptor* vp8, std::int64_t now) {
  if (!tap_) return;
  const auto [found, made] = tracks_.try_emplace(producer.pipeId());
  Track& track = found->second;
  if (!track.announced) {
    track.announced =
        tap_->onTrack(producer.pipeId(), producer.ownerId(), producer.source(), producer.kind(), producer.codec().name);
    if (!track.announced) return;
  }
  if (producer.kind() == MediaKind::Audio) {
    tap_->onPacket(producer.pipeId(), packet.sequenceNumber(), packet.timestamp(), packet.marker(), packet.payload(), now);
    return;
  }
  chooseLayer(producer, track, now);
  const VideoStreamRewriter::Packet in{static_cast<std::uint32_t>(layer), packet.sequenceNumber(), packet.timestamp(),
                                       now, keyFrame, vp8};
  const auto out = track.rewriter.forward(in);
  if (!out) return;
  tap_->onPacket(producer.pipeId(), out->sequence, out->timestamp, packet.marker(), packet.payload(), now);
}

}  // namespace parley::sfu
