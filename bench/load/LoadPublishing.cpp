// LoadParticipant's sending side: the publish offer, the media at its rates (one video
// layer, or three with simulcast), and retransmissions on RTX when the server NACKs.
#include "LoadParticipant.h"

#include "common/Bytes.h"
#include "common/Clock.h"
#include "rtp/Rtcp.h"
#include "sdp/SessionDescription.h"

namespace parley::bench {

namespace {

constexpr std::uint8_t kOpus = 111, kVp8 = 96, kRtx = 97;
constexpr std::size_t kMaxPayload = 1100;
constexpr std::size_t kTrailer = 8;  // the layer, then 56 bits of send time (steady clock, µs)

}  // namespace

void LoadParticipant::publish() {
  sender_ = makeTransport(socket_, webrtc::WebRtcTransport::IceRole::Controlling);
  sdp::SessionDescription offer;
  offer.sessionId = ownSsrc_;
  offer.bundle = {"0", "1"};
  const auto common = [&](sdp::MediaDescription& m) {
    // Always the DTLS client: Janus would otherwise take the client role for itself.
    sdp::setTransport(m, sender_->localIce().ufrag, sender_->localIce().pwd, certificate_->fingerprint(), "active");
    m.direction = "sendonly";
    m.rtcpReducedSize = true;
    m.cname = "load" + std::to_string(ownSsrc_);
  };
  sdp::MediaDescription audio;
  audio.kind = "audio";
  audio.mid = "0";
  audio.formats = {std::to_string(kOpus)};
  audio.codecs = {{kOpus, "opus", 48000, 2, "minptime=10;useinbandfec=1", {}}};
  audio.ssrcs = {audioSsrc_};
  audio.msid = "load audio" + std::to_string(audioSsrc_);
  common(audio);
  sdp::MediaDescription video;
  video.kind = "video";
  video.mid = "1";
  video.formats = {std::to_string(kVp8), std::to_string(kRtx)};
  video.codecs = {{kVp8, "VP8", 90000, 1, "", {"nack", "nack pli", "ccm fir"}},
                  {kRtx, "rtx", 90000, 1, "apt=" + std::to_string(kVp8), {}}};
  // RFC 5576's legacy simulcast form: a SIM group of the layers' SSRCs, smallest first,
  // and an FID group pairing each with its RTX SSRC.
  sdp::SsrcGroup sim{"SIM", {}};
  for (const auto& layer : videoLayers_) {
    video.ssrcs.push_back(layer.ssrc);
    video.ssrcs.push_back(layer.rtxSsrc);
    video.ssrcGroups.push_back({"FID", {layer.ssrc, layer.rtxSsrc}});
    sim.ssrcs.push_back(layer.ssrc);
  }
  if (videoLayers_.size() > 1) video.ssrcGroups.insert(video.ssrcGroups.begin(), sim);
  video.msid = "load video" + std::to_string(videoLayers_.front().ssrc);
  common(video);
  offer.media = {audio, video};
  signaling_->publish(sdp::write(offer));
}

void LoadParticipant::sendAudio() {
  const auto& packet = media_.audio[audioIndex_++ % media_.audio.size()];
  sendRtp(kOpus, audioSsrc_, audioSeq_, audioTimestamp_, false, packet.data(), packet.size(), nullptr, 0, 0, nullptr);
  audioTimestamp_ += 960;
  audioDue_ += rates_.audioInterval;
  audioTimer_.expires_at(audioDue_);
  audioTimer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sendAudio();
  });
}

void LoadParticipant::sendVideo() {
  const std::size_t index = videoIndex_++;
  for (std::size_t l = 0; l < videoLayers_.size(); ++l) {
    OutboundLayer& layer = videoLayers_[l];
    const auto& frames = media_.layers.empty() ? media_.video : media_.layers[l];
    const auto& frame = frames[index % frames.size()];
    // RFC 7741's payload descriptor as browsers write it: X, a 15-bit PictureID, S on the
    // frame's first packet.
    const std::uint16_t pictureId = layer.pictureId++ & 0x7fff;
    for (std::size_t at = 0; at < frame.data.size(); at += kMaxPayload) {
      const std::size_t n = std::min(kMaxPayload, frame.data.size() - at);
      const std::uint8_t descriptor[4] = {static_cast<std::uint8_t>(at == 0 ? 0x90 : 0x80), 0x80,
                                          static_cast<std::uint8_t>(0x80 | pictureId >> 8),
                                          static_cast<std::uint8_t>(pictureId)};
      sendRtp(kVp8, layer.ssrc, layer.seq, videoTimestamp_, at + n == frame.data.size(), frame.data.data() + at, n,
              descriptor, sizeof descriptor, static_cast<int>(l), &layer);
    }
  }
  videoTimestamp_ += static_cast<std::uint32_t>(90000 / rates_.videoFps);
  videoDue_ += std::chrono::microseconds(static_cast<std::int64_t>(1e6 / rates_.videoFps));
  videoTimer_.expires_at(videoDue_);
  videoTimer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) sendVideo();
  });
}

void LoadParticipant::sendRtp(std::uint8_t payloadType, std::uint32_t ssrc, std::uint16_t& seq,
                              std::uint32_t timestamp, bool marker, const std::uint8_t* payload, std::size_t length,
                              const std::uint8_t* prefix, std::size_t prefixLength, int layer, OutboundLayer* record) {
  std::uint8_t packet[1500];
  packet[0] = 0x80;
  packet[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | payloadType);
  write16(packet + 2, seq++);
  write32(packet + 4, timestamp);
  write32(packet + 8, ssrc);
  std::size_t size = 12;
  if (prefixLength) std::memcpy(packet + size, prefix, prefixLength);
  size += prefixLength;
  std::memcpy(packet + size, payload, length);
  size += length;
  const std::uint64_t sent = static_cast<std::uint64_t>(steadyMicrosNow()) & 0x00ff'ffff'ffff'ffffull;
  write32(packet + size, static_cast<std::uint32_t>(sent >> 32 | static_cast<std::uint64_t>(layer) << 24));
  write32(packet + size + 4, static_cast<std::uint32_t>(sent));
  size += kTrailer;
  if (record) {
    Sent& slot = record->sent[(seq - 1) % record->sent.size()];
    slot.seq = static_cast<std::uint16_t>(seq - 1);
    slot.size = size;
    std::memcpy(slot.bytes.data(), packet, size);
    if (stats_.measuring) stats_.layerBytesSent[static_cast<std::size_t>(layer)] += size;
    if (simulateLoss()) return;
  }
  if (sender_->sendRtp(packet, size, sizeof packet)) {
    stats_.packetsSent++;
    stats_.bytesSent += size;
  }
}

bool LoadParticipant::simulateLoss() {
  if (lossFraction_ <= 0) return false;
  lossState_ ^= lossState_ << 13;  // xorshift: cheap, and each participant its own sequence
  lossState_ ^= lossState_ >> 7;
  lossState_ ^= lossState_ << 17;
  if (static_cast<double>(lossState_ % 1000000) >= lossFraction_ * 1e6) return false;
  stats_.droppedOnPurpose++;
  return true;
}

void LoadParticipant::retransmit(OutboundLayer& layer, std::uint16_t seq) {
  const Sent& original = layer.sent[seq % layer.sent.size()];
  if (original.size == 0 || original.seq != seq || original.size + 2 > 1400) return;
  // RFC 4588: the RTX stream's own header, then the original sequence number and payload.
  std::uint8_t packet[1500];
  std::memcpy(packet, original.bytes.data(), 12);
  packet[1] = static_cast<std::uint8_t>((packet[1] & 0x80) | kRtx);
  write16(packet + 2, layer.rtxSeq++);
  write32(packet + 8, layer.rtxSsrc);
  write16(packet + 12, seq);
  std::memcpy(packet + 14, original.bytes.data() + 12, original.size - 12);
  if (sender_->sendRtp(packet, original.size + 2, sizeof packet)) stats_.retransmissionsSent++;
}

void LoadParticipant::onPublisherRtcp(std::uint8_t* data, std::size_t length) {
  rtp::forEachRtcpPart({data, length}, [this](const rtp::RtcpPart& part) {
    if (part.type == rtp::kRtcpRtpfb && part.count == 1 && part.bytes.size() >= 12) {
      std::vector<std::uint16_t> lost;
      if (!rtp::readNack(part, lost)) return;
      stats_.nacksReceived++;
      const std::uint32_t mediaSsrc = read32(part.bytes.data() + 8);
      for (auto& layer : videoLayers_) {
        if (layer.ssrc != mediaSsrc) continue;
        for (auto seq : lost) retransmit(layer, seq);
      }
    }
    // A key-frame request (PLI or FIR): the next frame sent is the loop's key frame, on
    // every layer (the layers' key frames are in step).
    if (part.type == rtp::kRtcpPsfb && (part.count == 1 || part.count == 4)) {
      const std::size_t n = media_.video.size();
      videoIndex_ = (videoIndex_ + n - 1) / n * n;
    }
  });
}

}  // namespace parley::bench
