#pragma once
// Values that cross between the control plane and the media workers: configuration,
// events back to signaling, and counters for /metrics.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace parley::sfu {

enum class MediaKind { Audio, Video };
// What a published track shows; the client says it with each publish.
enum class TrackSource { Camera, Microphone, Screen, ScreenAudio };
const char* sourceName(TrackSource source);
bool parseSource(const std::string& name, TrackSource& out);

// An address media is served on: every worker has a socket (UDP, and ICE-TCP) bound to
// `bindIp`, and offers host candidates for `announcedIps`: bindIp itself when empty, else
// the public addresses a NAT maps to it (then bindIp is usually a wildcard).
struct MediaAddress {
  std::string bindIp;
  std::vector<std::string> announcedIps;
};

struct MediaConfig {
  std::vector<MediaAddress> addresses{{"127.0.0.1", {}}};
  std::uint16_t portMin = 40000;
  std::uint16_t portMax = 40099;
  // ICE-TCP ports, one per worker from this range (0-0: no ICE-TCP).
  std::uint16_t tcpPortMin = 0;
  std::uint16_t tcpPortMax = 0;
  unsigned workers = 0;     // 0: one per core
  // A room spills onto another worker when its worker would forward more streams (tracks
  // times subscribers) than this.
  std::size_t streamsPerWorker = 2000;
};

// A track a subscriber receives, for the client to label it.
struct RemoteTrack {
  std::string mid;
  std::string participantId;
  TrackSource source;
  MediaKind kind;
};

// A video track as a subscriber displays it: its m-line there, and the height it is shown
// at in device pixels (0: not shown, so not sent).
struct ShownTrack {
  std::string mid;
  int height = 0;
};

// Whether a publisher should send one of its simulcast layers (named by rid).
struct LayerActivity {
  std::string rid;
  bool active = true;
};

struct MediaEvent {
  enum class Type { PublisherAnswer, SubscriberOffer, Error, TransportClosed, ActiveSpeaker, PublisherLayers };
  Type type;
  std::string roomId;
  std::string participantId;
  std::string sdp;
  std::vector<RemoteTrack> tracks;
  std::string message;
  // PublisherLayers: the publisher's track (its mid) and which of its layers to send.
  std::string mid;
  std::vector<LayerActivity> layers;
};

// Bucket bounds (bit/s) of the subscribers' estimated downlinks, for /metrics.
inline constexpr std::array<double, 8> kDownlinkBuckets = {250e3, 500e3, 1e6, 2e6, 4e6, 8e6, 16e6, 50e6};
using DownlinkCounts = std::array<std::uint64_t, kDownlinkBuckets.size() + 1>;  // the last: above every bound

// Adds to a counter that only one thread writes (its worker's): a relaxed load and store,
// where fetch_add would be a locked instruction on every packet of the media path.
inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// One worker's counters; updated with relaxed atomics by its thread only, read by /metrics.
struct alignas(64) MediaCounters {
  std::atomic<std::uint64_t> rtpReceived{0};
  std::atomic<std::uint64_t> rtpForwarded{0};
  std::atomic<std::uint64_t> bytesForwarded{0};
  std::atomic<std::uint64_t> rtcpReceived{0};
  std::atomic<std::uint64_t> nacksReceived{0};     // NACK feedback from subscribers
  std::atomic<std::uint64_t> nacksSent{0};         // to publishers
  std::atomic<std::uint64_t> retransmissions{0};   // packets resent from the buffer
  std::atomic<std::uint64_t> retransmissionsRefused{0};  // NACKed again within an RTT, or past the budget
  std::atomic<std::uint64_t> plisReceived{0};      // PLI and FIR from subscribers
  std::atomic<std::uint64_t> keyFrameRequests{0};  // PLIs sent to publishers
  std::atomic<std::uint64_t> twccFeedbackSent{0};
  std::atomic<std::uint64_t> malformedRtp{0};
  std::atomic<std::uint64_t> malformedRtcp{0};
  std::atomic<std::uint64_t> unknownSsrc{0};
  std::atomic<std::uint64_t> rejectedSdp{0};  // offers and answers that did not parse or fit
  std::atomic<std::uint64_t> refusedTracks{0};  // published tracks past a participant's limit
  std::atomic<std::uint64_t> rtpPiped{0};     // received from another worker of the same room
  std::atomic<std::uint64_t> backlogKeyFrames{0};  // key frames asked for a drained TCP path
  std::atomic<std::uint64_t> pipeDropped{0};  // could not be piped: the ring to that worker was full
  std::atomic<std::uint64_t> rtpByLayer[3]{};      // received from publishers, by simulcast layer (offer order)
  std::atomic<std::uint64_t> layerSwitches{0};     // a subscriber's stream moved to another layer
  std::atomic<std::uint64_t> publisherLayersOff{0};  // a publisher told to stop a layer nobody receives
  std::atomic<std::uint64_t> publisherLayersOn{0};   // ... and to send it again
  std::atomic<std::uint64_t> videoPauses{0};       // a subscriber stopped showing a video: paused
  std::atomic<std::uint64_t> probes{0};            // probe clusters a subscriber's feedback answered
};

}  // namespace parley::sfu
