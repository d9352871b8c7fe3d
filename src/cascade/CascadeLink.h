#pragma once
// A worker's cascade links (sfu::RemoteLinks): one UDP socket on the node's address, and for
// each remote shard (a worker of another node) a direction of SRTP each way, keyed from the
// cluster's secret (CascadeKeys). Datagrams from anywhere else, or that fail authentication,
// are dropped and counted. Tracks go as SRTP with their pipe id and layer in the SSRC;
// reports, key frame requests, NACKs and the tracks' announcements as SRTCP. Gaps in what
// arrives are NACKed (NackGenerator) and answered from the sender's recent packets. Worker
// thread only; nothing on the packet path allocates.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cascade/CascadeKeys.h"
#include "cascade/SentPackets.h"
#include "net/UdpSocket.h"
#include "sfu/NackGenerator.h"
#include "sfu/RemoteLinks.h"
#include "srtp/SrtpSession.h"

namespace parley::cascade {

// Where a node's cascade listens.
struct CascadeEndpoint {
  std::string nodeId;
  std::string address;  // the node's --node-address
};

class CascadeLink : public sfu::RemoteLinks {
 public:
  // Binds a UDP port (any free one) on `local.address` and starts receiving.
  CascadeLink(boost::asio::io_context& io, CascadeEndpoint local, unsigned worker, sfu::RemoteLinkHandler& handler);
  ~CascadeLink() override;

  void attach(unsigned slot, const sfu::RemoteShard& shard, const std::string& secret) override;
  std::uint16_t port() const override { return socket_.localPort(); }
  bool pipeRtp(unsigned slot, std::uint32_t pipeId, const std::uint8_t* data, std::size_t length) override;
  void announceProducer(unsigned slot, const std::string& roomId, const sfu::RemoteProducerInfo& info) override;
  void withdrawProducer(unsigned slot, const std::string& roomId, std::uint32_t pipeId) override;
  void relaySenderReport(unsigned slot, std::uint32_t pipeId, int layer, const rtp::SenderInfo& info) override;
  void requestKeyFrame(unsigned slot, std::uint32_t pipeId, int layer) override;
  void tick(std::int64_t nowMicros) override;
  const Counters& counters() const override { return counters_; }

  // Incoming streams (tracks times layers) repaired per remote shard at once: past it, new
  // ones are not. Bounds what a peer's SSRCs can make this side hold; a stream silent for
  // kIdleStreamMicros is forgotten (its track ended, or its layer stopped).
  static constexpr std::size_t kMaxRepairedStreams = 4096;
  static constexpr std::int64_t kIdleStreamMicros = 10000000;

 private:
  struct Peer {
    sfu::RemoteShard shard;
    std::string secret;
    net::Address address;
    std::unique_ptr<srtp::SrtpSession> out, in;
    SentPackets sent;
    struct Incoming {
      sfu::NackGenerator missing;
      std::int64_t lastPacket = 0;
    };
    std::unordered_map<std::uint32_t, Incoming> incoming;  // by cascade SSRC
  };
  Peer* peer(unsigned slot);
  void onDatagram(std::uint8_t* data, std::size_t length, const net::Address& from);
  void onRtp(unsigned slot, Peer& peer, std::uint8_t* data, std::size_t length);
  void onRtcp(unsigned slot, Peer& peer, std::uint8_t* data, std::size_t length);
  void resend(Peer& peer, std::uint32_t ssrc, const std::vector<std::uint16_t>& lost);
  // Protects the RTCP in the socket's send buffer (`length` bytes) and queues it to `peer`.
  void sendRtcp(Peer& peer, std::size_t length);

  CascadeEndpoint local_;
  unsigned worker_;
  sfu::RemoteLinkHandler& handler_;
  net::UdpSocket socket_;
  std::vector<std::unique_ptr<Peer>> peers_;  // by slot; null where no shard is attached
  std::uint32_t rtcpSsrc_;
  std::vector<std::uint16_t> lost_;  // scratch
  std::int64_t lastIdleSweep_ = 0;
  Counters counters_;
};

}  // namespace parley::cascade
