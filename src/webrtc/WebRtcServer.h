#pragma once
// The demultiplexer of one worker's UDP port: many transports share the socket (one per
// local address the worker serves, all on the same port; a peer's address says which it
// reached, and replies leave from that one). A STUN
// binding request is routed by the ufrag in its USERNAME; a binding response by the
// transport serial that opens its transaction id (we chose it); every other datagram by its
// source address, which an authentic check has bound to a transport. Anything else is
// dropped and counted. It is the TransportFactory of the SFU's transports on this port.
// With an ICE-TCP port, packets from its connections are demultiplexed the same way (their
// addresses are marked tcp), and what transports send to such an address goes back framed
// on that connection.
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/TcpMediaListener.h"
#include "net/UdpSocket.h"
#include "webrtc/WebRtcTransport.h"

namespace parley::webrtc {

struct DemuxCounters {
  std::uint64_t unknownSource = 0;  // DTLS/RTP/RTCP from an address no check validated
  std::uint64_t unknownUfrag = 0;   // STUN for no transport of ours
  std::uint64_t malformedStun = 0;
  std::uint64_t unclassified = 0;   // not STUN, DTLS, RTP or RTCP
  std::uint64_t unmatchedResponses = 0;  // STUN responses to no check of ours
};

class WebRtcServer : public TransportFactory, public PacketSender {
 public:
  // A UDP socket on each of `udpBindTo`, and an ICE-TCP listener on each of `tcpBindTo`
  // (none, or one per UDP address, in the same order). Every address has the same port: the
  // first one's, when they ask for port 0. Throws if one cannot bind (TcpPortUnavailable
  // for a TCP port).
  WebRtcServer(boost::asio::io_context& io, const std::vector<net::Address>& udpBindTo,
               const std::vector<net::Address>& tcpBindTo);
  // One address: `tcpBindTo`, also listen for ICE-TCP there.
  WebRtcServer(boost::asio::io_context& io, const net::Address& bindTo,
               std::optional<net::Address> tcpBindTo = std::nullopt);

  std::unique_ptr<WebRtcTransport> createTransport(dtls::DtlsTransport::Role dtlsRole,
                                                   WebRtcTransport::IceRole iceRole, Transport::Listener& listener,
                                                   std::shared_ptr<dtls::Certificate> certificate);
  // Must be called before a transport is destroyed.
  void removeTransport(WebRtcTransport& transport);

  // TransportFactory: the SFU's server-side transports (ICE-lite, DTLS server).
  void setCertificate(std::shared_ptr<dtls::Certificate> certificate) { certificate_ = std::move(certificate); }
  std::unique_ptr<Transport> createTransport(Transport::Listener& listener) override;
  void releaseTransport(Transport& transport) override;
  std::uint16_t port() const override { return sockets_.front()->localPort(); }
  std::uint16_t tcpPort() const override { return tcp_.empty() ? 0 : tcp_.front()->localPort(); }

  // PacketSender: UDP from the batch of the socket `to` reached, or framed onto an ICE-TCP
  // connection.
  std::uint8_t* sendBuffer(const net::Address& to) override;
  bool send(const std::uint8_t* data, std::size_t length, const net::Address& to, bool droppable = false) override;

  void start();
  void onDatagram(std::uint8_t* data, std::size_t length, const net::Address& from);
  // The worker's clock: consent checks and expiry of every transport.
  void tick(std::chrono::steady_clock::time_point now);

  net::UdpSocket& socket() { return *sockets_.front(); }
  // The active side of ICE-TCP (the load generator): a connection to `remote` (marked tcp),
  // then connectTo() on it; `done` says whether it opened. Needs a TCP bind address.
  void connectTcp(const net::Address& remote, std::function<void(bool connected)> done);
  // Stops the sockets (the worker's last act).
  void close();
  std::optional<net::TcpMediaListener::Stats> tcpStats() const;
  const DemuxCounters& demuxCounters() const { return demux_; }
  const TransportCounters& transportCounters() const { return transportCounters_; }
  std::size_t transportCount() const { return bySerial_.size(); }

 private:
  void onStun(const std::uint8_t* data, std::size_t length, const net::Address& from);
  void bind(const net::Address& from, WebRtcTransport* transport);
  void onTcpDrained(const net::Address& peer);
  void onTcpClosed(const net::Address& peer);

  boost::asio::io_context& io_;
  std::vector<std::unique_ptr<net::UdpSocket>> sockets_;
  std::vector<std::unique_ptr<net::TcpMediaListener>> tcp_;
  std::shared_ptr<dtls::Certificate> certificate_;
  std::uint32_t nextSerial_ = 1;
  std::unordered_map<std::uint32_t, WebRtcTransport*> bySerial_;
  std::unordered_map<std::string, WebRtcTransport*> byUfrag_;
  std::unordered_map<net::Address, WebRtcTransport*, net::AddressHash> byAddress_;
  DemuxCounters demux_;
  TransportCounters transportCounters_;
};

}  // namespace parley::webrtc
