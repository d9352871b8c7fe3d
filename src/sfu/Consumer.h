#pragma once
// One producer's track as one subscriber receives it: its own SSRC (and RTX SSRC), one
// continuous stream made of the producer's layers (VideoStreamRewriter: the layer this
// subscriber should get, switched on key frames, see LayerSelection), whether it may forward
// yet (negotiated, connected, key frame seen), what went out under which number (to answer
// NACKs for a stream whose numbers are rewritten), and what bounds its retransmissions: each sequence number at most once per round-trip time
// (measured from the subscriber's receiver reports), and all of them together at most a
// share of the bytes the stream itself carries. A subscriber's NACKs can thus cost the
// server a little more than its stream, never a multiple of it.
#include <array>
#include <cstdint>
#include <string>

#include <memory>
#include <optional>

#include "rtp/Rtcp.h"
#include "rtp/Vp8Descriptor.h"
#include "sfu/DownlinkAllocation.h"
#include "sfu/LayerSelection.h"
#include "sfu/Producer.h"
#include "sfu/VideoStreamRewriter.h"

namespace parley::sfu {

class MediaParticipant;

class Consumer {
 public:
  // Retransmitted bytes may be at most this share of the bytes forwarded, plus a burst.
  static constexpr double kRetransmitShare = 0.5;
  static constexpr double kMaxRetransmitBurst = 256 * 1024;
  static constexpr std::int64_t kDefaultRttMicros = 200000;  // until the subscriber reports

  // `subscriber` receives this consumer's packets (null only in tests of the state).
  Consumer(Producer& producer, MediaParticipant* subscriber, std::string mid, std::uint32_t ssrc,
           std::uint32_t rtxSsrc);

  Producer& producer() { return producer_; }
  const Producer& producer() const { return producer_; }
  MediaParticipant& subscriber() { return *subscriber_; }
  const std::string& mid() const { return mid_; }
  std::uint32_t ssrc() const { return ssrc_; }
  std::uint32_t rtxSsrc() const { return rtxSsrc_; }

  // The subscriber answered an offer with this consumer in it.
  void setNegotiated() { negotiated_ = true; }
  bool negotiated() const { return negotiated_; }

  using Forwarded = VideoStreamRewriter::Rewritten;
  // What `packet` (of the producer's `layer`) becomes for this subscriber, or nothing if it
  // must not go out: another layer than the one sent, a paused track, or video before its
  // key frame (so the subscriber's decoder starts clean). `vp8`: its parsed descriptor.
  std::optional<Forwarded> admit(const rtp::RtpPacket& packet, int layer, bool keyFrame,
                                 const rtp::Vp8Descriptor* vp8, std::int64_t nowMicros);
  // A video packet already forwarded, by its outgoing sequence number (for NACKs): the layer
  // and number it came with, and how it went out. Kept for the last kSentRecords packets.
  struct SentPacket {
    int layer = 0;
    std::uint16_t inSequence = 0;
    Forwarded out{};
  };
  static constexpr std::size_t kSentRecords = 256;
  std::optional<SentPacket> sentPacket(std::uint16_t outSeq) const;

  // What the subscriber shows of this track: kAnyHeight (no wish), 0 (not shown: nothing is
  // sent), or the displayed height in device pixels.
  void setMaxHeight(int height) { maxHeight_ = height; }
  int maxHeight() const { return maxHeight_; }
  // The layer what the subscriber shows asks for, of the producer's flowing layers
  // (LayerSelection); kNoLayer if it is not shown.
  int wantedLayer(std::int64_t nowMicros) const;
  // The layer what the subscriber shows would ask for if every layer flowed: what the
  // publisher should keep sending for it; kNoLayer if it is not shown.
  int displayLayer() const;
  // Sends `layer` from its next key frame on (kNoLayer: nothing, if not shown). Returns the
  // layer whose key frame the switch waits for, or kNoLayer if none is awaited.
  int sendLayer(int layer);
  int selectLayer(std::int64_t nowMicros) { return sendLayer(wantedLayer(nowMicros)); }
  // The layer whose key frame helps this subscriber now (on a PLI, after connecting): the
  // one being switched to, else the one sent; kNoLayer before any.
  int keyFrameLayer() const;
  // Asks the producer for a key frame of keyFrameLayer(), if there is one.
  void requestKeyFrame();
  bool paused() const { return paused_; }
  int currentLayer() const;
  // The highest VP8 temporal layer (TID) sent, kAllTemporal for all: frames above it are left
  // out (the rewriter closes the gaps in sequence numbers and PictureIDs). Lowered at the next
  // frame; raised at a frame that depends on TID 0 alone (TID 0, or the layer sync bit).
  void setTemporalLayer(int tid) { targetTemporal_ = tid; }
  int temporalLayer() const { return currentTemporal_; }
  // What it gets now, or is switching to: the spatial and temporal layers.
  LayerChoice target() const { return {paused_ ? kNoLayer : targetLayer(), targetTemporal_}; }
  // Added to the current layer's RTP timestamps on the way out (for sender reports).
  std::uint32_t timestampOffset() const { return rewriter_.timestampOffset(); }

  std::uint16_t nextRtxSequence() { return rtxSeq_++; }
  void onSent(std::size_t payloadBytes, std::uint32_t timestamp);

  // Whether a NACKed packet of `bytes` may be resent now; if so, counts it as resent.
  // False for the same sequence number within a round-trip time, or past the budget.
  bool mayResend(std::uint16_t outSeq, std::size_t bytes, std::int64_t nowMicros);

  // Round-trip time from our sender reports and the subscriber's receiver reports.
  void onSenderReportSent(std::uint64_t ntp, std::int64_t nowMicros);
  void onReceiverReport(const rtp::ReportBlock& block, std::int64_t nowMicros);
  std::int64_t rttMicros() const { return rtt_; }

  std::uint32_t packetsSent() const { return packetsSent_; }
  std::uint32_t lastTimestamp() const { return lastTimestamp_; }
  std::uint32_t octetsSent() const { return octetsSent_; }

 private:
  Producer& producer_;
  MediaParticipant* subscriber_;
  std::string mid_;
  std::uint32_t ssrc_, rtxSsrc_;
  bool negotiated_ = false;
  VideoStreamRewriter rewriter_;
  // Added to the rewriter's numbers: every stream starts at a random sequence number.
  std::uint16_t seqOffset_ = 0;
  std::uint16_t rtxSeq_ = 0;
  int maxHeight_ = kAnyHeight;
  bool paused_ = false;
  int targetTemporal_ = kAllTemporal, currentTemporal_ = kAllTemporal;
  // Whether a packet (of the layer being sent) with descriptor `vp8` belongs to a temporal layer left out; moves
  // currentTemporal_ toward the target where a frame allows it.
  bool leftOut(const rtp::Vp8Descriptor& vp8);
  int targetLayer() const;  // the one switched to, else the one sent
  // LayerSelection over the producer's layers (those flowing now, or all of them).
  int chooseFrom(bool everyLayerFlows, std::int64_t nowMicros, int current) const;
  struct SentRecord {
    std::uint16_t outSeq = 0;
    std::uint16_t inSeq = 0;
    std::uint8_t layer = 0;
    bool used = false;
    std::uint8_t tl0PicIdx = 0;
    std::uint16_t pictureId = 0;
    std::uint32_t timestamp = 0;
  };
  std::unique_ptr<std::array<SentRecord, kSentRecords>> sent_;  // video only
  std::uint32_t packetsSent_ = 0, octetsSent_ = 0, lastTimestamp_ = 0;
  // When each recent sequence number was last resent (milliseconds, wrapping).
  struct Resent {
    std::uint16_t seq = 0;
    bool used = false;
    std::uint32_t atMillis = 0;
  };
  std::array<Resent, 128> resent_{};
  double retransmitBudget_ = 0;  // bytes
  // Our last sender reports: the middle 32 bits of their NTP time, and when they left.
  struct SentReport {
    std::uint32_t compactNtp = 0;
    std::int64_t at = 0;
  };
  std::array<SentReport, 4> reports_{};
  std::size_t nextReport_ = 0;
  std::int64_t rtt_ = kDefaultRttMicros;
  bool rttMeasured_ = false;
};

}  // namespace parley::sfu
