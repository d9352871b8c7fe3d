#pragma once
// One WebRTC transport (a BUNDLEd, rtcp-muxed 5-tuple): ICE-lite checks, DTLS, then SRTP.
// It turns datagrams into authenticated, decrypted RTP and RTCP for its listener, and
// encrypts what the listener sends. It knows nothing of rooms, tracks or participants.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "dtls/DtlsTransport.h"
#include "ice/StunMessage.h"
#include "net/Address.h"
#include "net/UdpSocket.h"
#include "srtp/SrtpSession.h"

namespace parley::webrtc {

struct IceParameters {
  std::string ufrag;
  std::string pwd;
};

IceParameters randomIceParameters();

// Counters a worker sums up for /metrics.
struct TransportCounters {
  std::uint64_t stunRequests = 0;
  std::uint64_t stunRejected = 0;  // bad integrity or username
  std::uint64_t srtpFailures = 0;  // failed authentication or replay
  std::uint64_t dtlsFailures = 0;
};

class WebRtcTransport : private dtls::DtlsTransport::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // Decrypted packets; the buffer may be modified and is valid until return.
    virtual void onRtp(WebRtcTransport& transport, std::uint8_t* data, std::size_t length) = 0;
    virtual void onRtcp(WebRtcTransport& transport, std::uint8_t* data, std::size_t length) = 0;
    virtual void onTransportConnected(WebRtcTransport& transport) = 0;
    // ICE consent lost, DTLS failed or closed: the transport is dead.
    virtual void onTransportClosed(WebRtcTransport& transport, const std::string& reason) = 0;
  };

  enum class IceRole { Lite, Controlling };  // the server is lite; the load generator controls

  WebRtcTransport(boost::asio::io_context& io, net::UdpSocket& socket, std::shared_ptr<dtls::Certificate> certificate,
                  dtls::DtlsTransport::Role dtlsRole, IceRole iceRole, Listener& listener,
                  TransportCounters& counters);
  ~WebRtcTransport() override;

  const IceParameters& localIce() const { return localIce_; }
  void setRemoteParameters(IceParameters remote, std::string fingerprintAlgorithm, std::string fingerprint);

  // From the demultiplexer.
  void onStunRequest(const ice::StunMessage& request, const net::Address& from);
  void onStunResponse(const ice::StunMessage& response, const net::Address& from);
  void onDtls(const std::uint8_t* data, std::size_t length, const net::Address& from);
  void onSrtp(std::uint8_t* data, std::size_t length, const net::Address& from, bool rtcp);

  // Encrypts in place (capacity must leave room for the SRTP trailer) and queues to send.
  bool sendRtp(std::uint8_t* packet, std::size_t length, std::size_t capacity);
  bool sendRtcp(std::uint8_t* packet, std::size_t length, std::size_t capacity);

  // Controlling side only: sends a binding request with USE-CANDIDATE to `remote`.
  void connectTo(const net::Address& remote);
  bool expectsResponse(const ice::TransactionId& transaction) const {
    return iceRole_ == IceRole::Controlling && transaction == lastTransaction_;
  }

  // Called once a second: drops a peer that has sent no valid check for 30 s (RFC 7675).
  void checkConsent(std::chrono::steady_clock::time_point now);
  void close(const std::string& reason);

  bool connected() const { return srtpIn_ != nullptr; }
  bool closed() const { return closed_; }
  const std::optional<net::Address>& remoteAddress() const { return selected_; }
  std::optional<srtp::SrtpProfile> srtpProfile() const;

  // Called by the server when the selected 5-tuple changes, to keep its map current.
  std::function<void(WebRtcTransport&, const std::optional<net::Address>& old, const net::Address& now)> onRouteChange;

 private:
  void onDtlsSend(const std::uint8_t* data, std::size_t length) override;
  void onDtlsConnected(const dtls::SrtpKeys& keys) override;
  void onDtlsFailed(const std::string& reason) override;
  void onDtlsClosed() override;
  void armDtlsTimer();
  void select(const net::Address& address);

  boost::asio::io_context& io_;
  net::UdpSocket& socket_;
  IceRole iceRole_;
  Listener& listener_;
  TransportCounters& counters_;
  IceParameters localIce_;
  IceParameters remoteIce_;
  dtls::DtlsTransport dtls_;
  boost::asio::steady_timer dtlsTimer_;
  std::unique_ptr<srtp::SrtpSession> srtpIn_, srtpOut_;
  std::optional<net::Address> selected_;
  std::chrono::steady_clock::time_point lastConsent_;
  bool closed_ = false;
  bool dtlsStarted_ = false;
  std::uint64_t tieBreaker_ = 0;
  ice::TransactionId lastTransaction_{};
};

}  // namespace parley::webrtc
