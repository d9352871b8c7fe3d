#pragma once
// One encoding of a published track: the only one of most tracks, one of up to kMaxLayers of
// a simulcast camera (each layer its own SSRC, sequence numbers, timestamps and repair). What
// the SFU keeps per layer: its retransmission buffer, receive statistics, missing packets,
// key frame wishes, whether it is flowing (a browser stops its upper layers when its uplink
// is short), from its last VP8 key frame its resolution, and its bitrate, in all and up to
// each VP8 temporal layer (L1T3: frames of TID 0 alone make a third of the frame rate).
// Owned by its Producer, used on its worker's thread only.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "sfu/MediaTypes.h"
#include "sfu/NackGenerator.h"
#include "sfu/ReceiveStatistics.h"
#include "sfu/RetransmissionBuffer.h"

namespace parley::sfu {

// A simulcast camera sends at most this many layers; more are refused in the answer.
inline constexpr std::size_t kMaxLayers = 3;
// Temporal layers told apart in a spatial layer (VP8 TIDs 0-2; a TID of 3 counts as 2).
inline constexpr std::size_t kMaxTemporalLayers = 3;

// How the offer names a layer: by rid (its SSRC learned from the first packets) or by SSRC.
struct LayerDescription {
  std::string rid;
  std::uint32_t ssrc = 0, rtxSsrc = 0;
};

struct ProducerLayer {
  // A layer that sent nothing for this long is taken as stopped by its publisher.
  static constexpr std::int64_t kIdleMicros = 1500000;

  ProducerLayer(MediaKind kind, std::uint32_t clockRate, LayerDescription description)
      : rid(std::move(description.rid)),
        ssrc(description.ssrc),
        rtxSsrc(description.rtxSsrc),
        // Video: 1024 packets (several seconds at camera rates), kept 2 s; audio: 1 s.
        buffer(kind == MediaKind::Video ? 1024 : 128, kind == MediaKind::Video ? 2000000 : 1000000),
        stats(clockRate) {}

  bool flowing(std::int64_t nowMicros) const { return lastPacketAt != 0 && nowMicros - lastPacketAt < kIdleMicros; }
  // Brings bitrateBps up to date, at most once a second (0 while the layer does not flow).
  void updateBitrate(std::int64_t nowMicros) {
    if (!flowing(nowMicros)) {
      bitrateBps = 0;
      return;
    }
    if (rateAt != 0 && nowMicros - rateAt < 1000000) return;
    if (rateAt != 0) {
      const double seconds = static_cast<double>(nowMicros - rateAt) / 1e6;
      bitrateBps = static_cast<double>(bytes - rateBytes) * 8 / seconds;
      double cumulative = 0;
      for (std::size_t t = 0; t < kMaxTemporalLayers; ++t) {
        cumulative += static_cast<double>(temporalBytes[t] - rateTemporalBytes[t]) * 8 / seconds;
        temporalBps[t] = cumulative;
      }
      temporalLayers = windowTemporalLayers;
    }
    rateAt = nowMicros;
    rateBytes = bytes;
    rateTemporalBytes = temporalBytes;
    windowTemporalLayers = 0;
  }
  // A packet of a frame of temporal layer `tid` (VP8's TID).
  void noteTemporal(std::uint8_t tid, std::size_t size) {
    const std::size_t t = tid < kMaxTemporalLayers ? tid : kMaxTemporalLayers - 1;
    temporalBytes[t] += size;
    windowTemporalLayers = std::max(windowTemporalLayers, static_cast<std::uint8_t>(t + 1));
  }

  std::string rid;
  std::uint32_t ssrc, rtxSsrc;  // 0: not known yet
  RetransmissionBuffer buffer;
  ReceiveStatistics stats;
  NackGenerator nacks;
  bool keyFrameWanted = false;
  std::int64_t lastKeyFrameRequest = 0;
  std::int64_t lastPacketAt = 0;
  std::uint64_t packets = 0, bytes = 0;
  double bitrateBps = 0;  // see updateBitrate
  std::int64_t rateAt = 0;
  std::uint64_t rateBytes = 0;
  std::uint16_t width = 0, height = 0;  // 0: not seen yet (from VP8 key frames and H.264 SPSs)
  // Whether the publisher was last told to send this layer (it starts sending all), and
  // when a subscriber last needed it (Router::updatePublisherLayers).
  bool sendRequested = true;
  std::int64_t lastNeededAt = 0;
  // Temporal layers over the last measured second (0 or 1: none, the whole layer only) and
  // the bitrate up to each (temporalBps[t]: TIDs 0 to t); see updateBitrate.
  std::uint8_t temporalLayers = 0;
  std::array<double, kMaxTemporalLayers> temporalBps{};
  std::array<std::uint64_t, kMaxTemporalLayers> temporalBytes{}, rateTemporalBytes{};
  std::uint8_t windowTemporalLayers = 0;
};

}  // namespace parley::sfu
