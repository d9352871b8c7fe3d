#pragma once
// The demultiplexer of one worker's UDP port: many transports share the socket. A STUN
// binding request is routed by the ufrag in its USERNAME; every other datagram by its
// source address, which a valid check has bound to a transport. Anything else is dropped
// and counted.
#include <memory>
#include <string>
#include <unordered_map>

#include "net/UdpSocket.h"
#include "webrtc/WebRtcTransport.h"

namespace parley::webrtc {

struct DemuxCounters {
  std::uint64_t unknownSource = 0;  // DTLS/RTP/RTCP from an address no check validated
  std::uint64_t unknownUfrag = 0;   // STUN for no transport of ours
  std::uint64_t malformedStun = 0;
  std::uint64_t unclassified = 0;   // not STUN, DTLS, RTP or RTCP
};

class WebRtcServer {
 public:
  WebRtcServer(boost::asio::io_context& io, const net::Address& bindTo);

  std::unique_ptr<WebRtcTransport> createTransport(dtls::DtlsTransport::Role dtlsRole,
                                                   WebRtcTransport::IceRole iceRole,
                                                   WebRtcTransport::Listener& listener,
                                                   std::shared_ptr<dtls::Certificate> certificate);
  // Must be called before a transport is destroyed.
  void removeTransport(WebRtcTransport& transport);

  void start();
  void onDatagram(std::uint8_t* data, std::size_t length, const net::Address& from);

  net::UdpSocket& socket() { return socket_; }
  std::uint16_t port() const { return socket_.localPort(); }
  const DemuxCounters& demuxCounters() const { return demux_; }
  const TransportCounters& transportCounters() const { return transportCounters_; }
  std::size_t transportCount() const { return byUfrag_.size(); }

 private:
  boost::asio::io_context& io_;
  net::UdpSocket socket_;
  std::unordered_map<std::string, WebRtcTransport*> byUfrag_;
  std::unordered_map<net::Address, WebRtcTransport*, net::AddressHash> byAddress_;
  DemuxCounters demux_;
  TransportCounters transportCounters_;
};

}  // namespace parley::webrtc
