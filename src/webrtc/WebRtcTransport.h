#pragma once
// One WebRTC transport (a BUNDLEd, rtcp-muxed 5-tuple): ICE, then DTLS, then SRTP. It turns
// datagrams into authenticated, decrypted RTP and RTCP for its listener, and encrypts what
// the listener sends. It knows nothing of rooms, tracks or participants.
//
// Where media goes (RFC 7675, consent freshness): only to a path the peer has consented to,
// that is an address that answered, within the last 30 s, a binding request this transport
// sent it with the peer's credentials. A check that merely arrives from an address (even
// nominating it) makes it a candidate path and triggers a consent check; it never redirects
// media by itself, so nobody can aim our traffic at a third party by spoofing a source.
// DTLS answers go to the source of the DTLS packet they answer.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "dtls/DtlsTransport.h"
#include "ice/StunMessage.h"
#include "net/Address.h"
#include "net/UdpSocket.h"
#include "webrtc/PacketSender.h"
#include "srtp/SrtpSession.h"
#include "webrtc/Transport.h"

namespace parley::webrtc {

IceParameters randomIceParameters();

// Counters a worker sums up for /metrics.
struct TransportCounters {
  std::uint64_t stunRequests = 0;
  std::uint64_t stunRejected = 0;  // bad integrity or username
  std::uint64_t srtpFailures = 0;  // failed authentication or replay
  std::uint64_t dtlsFailures = 0;
  std::uint64_t consentChecks = 0;    // binding requests we sent for consent
  std::uint64_t consentRefusals = 0;  // responses that did not prove consent (wrong source, integrity)
  std::uint64_t roleConflicts = 0;    // both ends controlling: we took the controlled role
};

// What a binding request did: whether it was authentic (its source may then be routed to
// this transport), and a path it pushed out (no longer to be routed here).
struct StunCheckResult {
  bool accepted = false;
  std::optional<net::Address> forgotten;
};

class WebRtcTransport : public Transport, private dtls::DtlsTransport::Listener {
 public:
  // The server is lite (and so controlled); the load generator is a full agent, controlling
  // unless it answers a full agent's offer, or loses a role conflict (then Controlled).
  enum class IceRole { Lite, Controlled, Controlling };

  static constexpr auto kConsentLifetime = std::chrono::seconds(30);
  static constexpr std::uint16_t kRoleConflict = 487;  // STUN error: both ends in the same ICE role
  static constexpr auto kConsentInterval = std::chrono::seconds(5);  // between checks, randomized ±20%
  static constexpr std::size_t kMaxPaths = 4;  // candidate addresses remembered per transport

  // `serial` is the server's number for this transport: it opens the transaction ids of
  // the checks it sends, so responses find their way back.
  WebRtcTransport(boost::asio::io_context& io, PacketSender& sender, std::shared_ptr<dtls::Certificate> certificate,
                  dtls::DtlsTransport::Role dtlsRole, IceRole iceRole, Transport::Listener& listener, TransportCounters& counters,
                  std::uint32_t serial);
  ~WebRtcTransport() override;

  // Transport
  const IceParameters& localIce() const override { return localIce_; }
  void setRemoteParameters(IceParameters remote, std::string fingerprintAlgorithm, std::string fingerprint) override;
  bool connected() const override { return srtpOut_ != nullptr && consented_ && !closed_; }
  std::uint8_t* sendBuffer() override { return sender_.sendBuffer(selected_.value_or(net::Address{})); }
  bool sendRtp(std::uint8_t* packet, std::size_t length, std::size_t capacity, bool droppable = false) override;
  bool sendRtcp(std::uint8_t* packet, std::size_t length, std::size_t capacity) override;

  // From the demultiplexer.
  StunCheckResult onStunRequest(const ice::StunMessage& request, const net::Address& from);
  // True if the response proved consent (then its source may be routed here).
  bool onStunResponse(const ice::StunMessage& response, const net::Address& from);
  void onDtls(const std::uint8_t* data, std::size_t length, const net::Address& from);
  void onSrtp(std::uint8_t* data, std::size_t length, const net::Address& from, bool rtcp);

  // Controlling side only: a check nominating `remote` (USE-CANDIDATE).
  void connectTo(const net::Address& remote);

  // The worker's clock, about twice a second: consent checks on the selected path every
  // few seconds; media stops the moment consent is 30 s old, and the transport closes.
  void tickConsent(std::chrono::steady_clock::time_point now);
  void close(const std::string& reason);
  // The TCP path had dropped packets for a full buffer and has drained: tell the listener.
  void onSendBacklogCleared() { listener_.onSendBacklogCleared(*this); }
  // The ICE-TCP connection to `path` ended: media no longer goes there.
  void onPathClosed(const net::Address& path);

  bool closed() const { return closed_; }
  std::uint32_t serial() const { return serial_; }
  // The path media goes to (consented), if any.
  const std::optional<net::Address>& remoteAddress() const { return selected_; }
  std::optional<srtp::SrtpProfile> srtpProfile() const;

 private:
  struct Path {
    net::Address address;
    bool nominated = false;
    std::chrono::steady_clock::time_point seen{};            // its last authentic check
    std::chrono::steady_clock::time_point consentUntil{};    // epoch: never consented
    std::chrono::steady_clock::time_point nextCheck{};
  };
  struct SentCheck {
    ice::TransactionId transaction{};
    net::Address to;
    bool used = false;
  };

  void onDtlsSend(const std::uint8_t* data, std::size_t length) override;
  void onDtlsConnected(const dtls::SrtpKeys& keys) override;
  void onDtlsFailed(const std::string& reason) override;
  void onDtlsClosed() override;
  void armDtlsTimer();
  void startDtls();
  Path& pathFor(const net::Address& address, std::optional<net::Address>& forgotten);
  Path* findPath(const net::Address& address);
  // Sends a binding request to `path` (with USE-CANDIDATE when controlling and nominating).
  void sendCheck(Path& path, bool nominate, std::chrono::steady_clock::time_point now);
  void select(const Path& path);
  void announceIfConnected();
  // A role conflict lost: the peer controls.
  void becomeControlled();
  bool consentFresh(const Path& path, std::chrono::steady_clock::time_point now) const {
    return now < path.consentUntil;
  }

  boost::asio::io_context& io_;
  PacketSender& sender_;
  IceRole iceRole_;
  Transport::Listener& listener_;
  TransportCounters& counters_;
  std::uint32_t serial_;
  IceParameters localIce_;
  IceParameters remoteIce_;
  dtls::DtlsTransport dtls_;
  boost::asio::steady_timer dtlsTimer_;
  std::unique_ptr<srtp::SrtpSession> srtpIn_, srtpOut_;
  std::vector<Path> paths_;
  std::array<SentCheck, 8> sentChecks_{};  // recent transactions, oldest overwritten
  std::size_t nextCheckSlot_ = 0;
  std::optional<net::Address> selected_;
  std::optional<net::Address> dtlsPeer_;  // where DTLS answers go: the source of the last record
  bool consented_ = false;  // the selected path's consent is fresh
  std::chrono::steady_clock::time_point created_;
  bool closed_ = false;
  bool dtlsStarted_ = false;
  bool announced_ = false;  // the listener was told it is connected
  std::uint64_t tieBreaker_ = 0;
};

}  // namespace parley::webrtc
