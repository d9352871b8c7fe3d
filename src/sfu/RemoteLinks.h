#pragma once
// How a room's shard on this node reaches the room's shards on other nodes of a cluster (the
// cascade). To a Router they are more peers behind ShardLinks, numbered from
// kFirstRemoteLink; the Worker hands those to its RemoteLinks, which carries them over the
// nodes' network (cascade::CascadeLink: SRTP over UDP, with NACKs). A track is sent once
// to each remote shard hosting the room; what arrives comes back through a
// RemoteLinkHandler. One RemoteLinks per worker, touched by that worker's thread only.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <cstdint>
#include <string>

#include "rtp/Rtcp.h"
#include "sfu/ShardLinks.h"

namespace parley::sfu {

// Peer numbers at and past this name remote shards (slot = peer - kFirstRemoteLink).
inline constexpr unsigned kFirstRemoteLink = 1u << 16;
inline bool isRemoteLink(unsigned peer) { return peer >= kFirstRemoteLink; }

// One worker of another node hosting a room: where its cascade socket listens.
struct RemoteShard {
  std::string nodeId;
  unsigned worker = 0;
  std::string address;  // the node's --node-address
  std::uint16_t port = 0;
  bool operator==(const RemoteShard&) const = default;
};

// What arrives from remote shards, on the worker's thread. `slot` names the sender.
class RemoteLinkHandler {
 public:
  virtual ~RemoteLinkHandler() = default;
  // A decrypted RTP packet of the sender's track `pipeId` (its numbering), on `layer`; the
  // SSRC field holds the layer, as in a packet piped between workers.
  virtual void onCascadeRtp(unsigned slot, std::uint32_t pipeId, std::uint8_t* data, std::size_t length) = 0;
  // Announcements are repeated while the track lives (soft state): a copy not announced
  // again for a while is dropped by the receiver.
  virtual void onCascadeAnnouncement(unsigned slot, const std::string& roomId, const RemoteProducerInfo& info) = 0;
  virtual void onCascadeWithdrawal(unsigned slot, const std::string& roomId, std::uint32_t pipeId) = 0;
  virtual void onCascadeSenderReport(unsigned slot, std::uint32_t pipeId, int layer, const rtp::SenderInfo& info) = 0;
  // A remote copy's subscribers want a key frame of this node's track `pipeId`.
  virtual void onCascadeKeyFrameRequest(unsigned slot, std::uint32_t pipeId, int layer) = 0;
};

class RemoteLinks {
 public:
  virtual ~RemoteLinks() = default;
  // `slot` now names `shard` (the same slot always names the same shard); the link's keys
  // come from the cluster's `secret`.
  virtual void attach(unsigned slot, const RemoteShard& shard, const std::string& secret) = 0;
  virtual std::uint16_t port() const = 0;
  // As ShardLinks, with the slot for the worker.
  virtual bool pipeRtp(unsigned slot, std::uint32_t pipeId, const std::uint8_t* data, std::size_t length) = 0;
  virtual void announceProducer(unsigned slot, const std::string& roomId, const RemoteProducerInfo& info) = 0;
  virtual void withdrawProducer(unsigned slot, const std::string& roomId, std::uint32_t pipeId) = 0;
  virtual void relaySenderReport(unsigned slot, std::uint32_t pipeId, int layer, const rtp::SenderInfo& info) = 0;
  virtual void requestKeyFrame(unsigned slot, std::uint32_t pipeId, int layer) = 0;
  // The worker's clock: NACKs for what the remote shards' packets lost on the way.
  virtual void tick(std::int64_t nowMicros) = 0;
  // What the links counted, for /metrics (read from any thread).
  struct Counters {
    std::atomic<std::uint64_t> sent{0}, received{0}, nacksSent{0}, retransmitted{0}, unauthenticated{0},
        replayed{0}, unknownSource{0}, malformed{0};
  };
  virtual const Counters& counters() const = 0;
};

// Makes a worker's links, on its io_context, delivering to the worker.
using RemoteLinksFactory =
    std::function<std::unique_ptr<RemoteLinks>(boost::asio::io_context& io, unsigned worker, RemoteLinkHandler& handler)>;

}  // namespace parley::sfu
