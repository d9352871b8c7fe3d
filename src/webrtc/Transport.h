#pragma once
// What the layers above see of a media transport (one BUNDLEd 5-tuple): authenticated,
// decrypted packets in through a Listener, packets out encrypted in place. WebRtcTransport
// (ICE, DTLS, SRTP over a shared UDP socket) is the real one; tests of the SFU use fakes.
// A TransportFactory makes them; for WebRtcTransports that is the WebRtcServer of a port.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace parley::webrtc {

struct IceParameters {
  std::string ufrag;
  std::string pwd;
};

class Transport {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Decrypted packets; the buffer may be modified and is valid until return.
    virtual void onRtp(Transport& transport, std::uint8_t* data, std::size_t length) = 0;
    virtual void onRtcp(Transport& transport, std::uint8_t* data, std::size_t length) = 0;
    virtual void onTransportConnected(Transport& transport) = 0;
    // ICE consent lost, DTLS failed or closed: the transport is dead.
    virtual void onTransportClosed(Transport& transport, const std::string& reason) = 0;
    // Packets marked droppable were dropped for a congested path (ICE-TCP), which has now
    // drained: a video receiver has gaps, and a key frame repairs them at once.
    virtual void onSendBacklogCleared(Transport&) {}
  };

  virtual ~Transport() = default;

  virtual const IceParameters& localIce() const = 0;
  // The peer's ICE credentials and certificate fingerprint, from its SDP.
  virtual void setRemoteParameters(IceParameters remote, std::string fingerprintAlgorithm,
                                   std::string fingerprint) = 0;
  // Keys agreed and a path the peer has consented to: media may flow.
  virtual bool connected() const = 0;

  // Zero-copy sending: write a packet (at most net::kMaxDatagram bytes) into sendBuffer(),
  // then sendRtp() or sendRtcp() it; it is encrypted in place (the capacity leaves room for
  // the SRTP trailer) and leaves with the socket's batch. False if it cannot go now.
  // `droppable` RTP (video) is dropped first when the path is congested; audio is kept.
  virtual std::uint8_t* sendBuffer() = 0;
  virtual bool sendRtp(std::uint8_t* packet, std::size_t length, std::size_t capacity, bool droppable = false) = 0;
  virtual bool sendRtcp(std::uint8_t* packet, std::size_t length, std::size_t capacity) = 0;
};

class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  // A server-side transport (ICE-lite, DTLS server) reporting to `listener`.
  virtual std::unique_ptr<Transport> createTransport(Transport::Listener& listener) = 0;
  // Must be called before a transport it made is destroyed.
  virtual void releaseTransport(Transport& transport) = 0;
  // The port its transports share (the SDP candidate's).
  virtual std::uint16_t port() const = 0;
  // Its ICE-TCP port (a passive candidate), or 0 if it has none.
  virtual std::uint16_t tcpPort() const { return 0; }
};

}  // namespace parley::webrtc
