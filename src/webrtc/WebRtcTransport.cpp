#include "webrtc/WebRtcTransport.h"

#include "common/Random.h"

namespace parley::webrtc {

namespace {
constexpr auto kConsentTimeout = std::chrono::seconds(30);
}

IceParameters randomIceParameters() {
  // ufrag: at least 24 bits of randomness (RFC 8445); pwd: at least 128 bits.
  return {randomToken(6), randomToken(18)};
}

WebRtcTransport::WebRtcTransport(boost::asio::io_context& io, net::UdpSocket& socket,
                                 std::shared_ptr<dtls::Certificate> certificate, dtls::DtlsTransport::Role dtlsRole,
                                 IceRole iceRole, Listener& listener, TransportCounters& counters)
    : io_(io),
      socket_(socket),
      iceRole_(iceRole),
      listener_(listener),
      counters_(counters),
      localIce_(randomIceParameters()),
      dtls_(std::move(certificate), dtlsRole, *this),
      dtlsTimer_(io),
      lastConsent_(std::chrono::steady_clock::now()) {
  secureRandomBytes(&tieBreaker_, sizeof tieBreaker_);
}

WebRtcTransport::~WebRtcTransport() { dtlsTimer_.cancel(); }

void WebRtcTransport::setRemoteParameters(IceParameters remote, std::string fingerprintAlgorithm,
                                          std::string fingerprint) {
  remoteIce_ = std::move(remote);
  dtls_.setRemoteFingerprint(std::move(fingerprintAlgorithm), std::move(fingerprint));
}

std::optional<srtp::SrtpProfile> WebRtcTransport::srtpProfile() const {
  if (!srtpOut_) return std::nullopt;
  return srtpOut_->profile();
}

void WebRtcTransport::select(const net::Address& address) {
  if (selected_ && *selected_ == address) return;
  const auto old = selected_;
  selected_ = address;
  if (onRouteChange) onRouteChange(*this, old, address);
}

void WebRtcTransport::onStunRequest(const ice::StunMessage& request, const net::Address& from) {
  if (closed_) return;
  counters_.stunRequests++;
  // USERNAME is "our ufrag:their ufrag"; the demultiplexer matched ours.
  const auto colon = request.username.find(':');
  const bool remoteMatches = remoteIce_.ufrag.empty() ||
                             (colon != std::string_view::npos && request.username.substr(colon + 1) == remoteIce_.ufrag);
  if (!remoteMatches || !ice::checkIntegrity(request, localIce_.pwd) || request.fingerprintOffset == 0) {
    counters_.stunRejected++;
    return;
  }
  lastConsent_ = std::chrono::steady_clock::now();
  std::uint8_t response[ice::kMaxStunSize];
  const std::size_t length = ice::writeBindingSuccess(request, from, localIce_.pwd, response);
  socket_.send(response, length, from);
  // ICE-lite: the controlling peer decides; until it nominates, use the first valid path.
  if (request.useCandidate || !selected_) select(from);
  if (!dtlsStarted_) {
    dtlsStarted_ = true;
    dtls_.start();
    armDtlsTimer();
  }
}

void WebRtcTransport::onStunResponse(const ice::StunMessage& response, const net::Address& from) {
  if (closed_ || iceRole_ != IceRole::Controlling) return;
  if (response.type != ice::kBindingSuccess || !ice::checkIntegrity(response, remoteIce_.pwd)) {
    counters_.stunRejected++;
    return;
  }
  lastConsent_ = std::chrono::steady_clock::now();
  select(from);
  if (!dtlsStarted_) {
    dtlsStarted_ = true;
    dtls_.start();
    armDtlsTimer();
  }
}

void WebRtcTransport::connectTo(const net::Address& remote) {
  ice::TransactionId& transaction = lastTransaction_;
  secureRandomBytes(transaction.data(), transaction.size());
  std::uint8_t request[ice::kMaxStunSize];
  const std::string username = remoteIce_.ufrag + ":" + localIce_.ufrag;
  const std::size_t length =
      ice::writeBindingRequest(transaction, username, remoteIce_.pwd, 0x6E0001FF, tieBreaker_, true, request);
  socket_.send(request, length, remote);
}

void WebRtcTransport::onDtls(const std::uint8_t* data, std::size_t length, const net::Address& from) {
  if (closed_) return;
  if (!selected_) select(from);
  dtls_.onPacket(data, length);
  armDtlsTimer();
}

void WebRtcTransport::onSrtp(std::uint8_t* data, std::size_t length, const net::Address& from, bool rtcp) {
  if (closed_ || !srtpIn_) return;
  const auto result = rtcp ? srtpIn_->unprotectRtcp(data, length) : srtpIn_->unprotectRtp(data, length);
  if (result != srtp::SrtpError::Ok) {
    counters_.srtpFailures++;
    return;
  }
  if (rtcp) listener_.onRtcp(*this, data, length);
  else listener_.onRtp(*this, data, length);
}

bool WebRtcTransport::sendRtp(std::uint8_t* packet, std::size_t length, std::size_t capacity) {
  if (!srtpOut_ || !selected_ || closed_) return false;
  if (srtpOut_->protectRtp(packet, length, capacity) != srtp::SrtpError::Ok) return false;
  socket_.commitOrSend(packet, length, *selected_);
  return true;
}

bool WebRtcTransport::sendRtcp(std::uint8_t* packet, std::size_t length, std::size_t capacity) {
  if (!srtpOut_ || !selected_ || closed_) return false;
  if (srtpOut_->protectRtcp(packet, length, capacity) != srtp::SrtpError::Ok) return false;
  socket_.commitOrSend(packet, length, *selected_);
  return true;
}

void WebRtcTransport::checkConsent(std::chrono::steady_clock::time_point now) {
  if (closed_) return;
  if (iceRole_ == IceRole::Controlling) {
    // Keep the server's consent fresh, as a browser does every few seconds.
    if (selected_ && now - lastConsent_ > std::chrono::seconds(5)) connectTo(*selected_);
    return;
  }
  if (now - lastConsent_ > kConsentTimeout) close("ICE consent expired");
}

void WebRtcTransport::close(const std::string& reason) {
  if (closed_) return;
  dtls_.close();
  closed_ = true;
  dtlsTimer_.cancel();
  listener_.onTransportClosed(*this, reason);
}

void WebRtcTransport::onDtlsSend(const std::uint8_t* data, std::size_t length) {
  if (selected_) socket_.send(data, length, *selected_);
}

void WebRtcTransport::onDtlsConnected(const dtls::SrtpKeys& keys) {
  srtpIn_ = std::make_unique<srtp::SrtpSession>(keys.profile, keys.remoteKey, keys.remoteSalt,
                                                srtp::SrtpSession::Direction::Inbound);
  srtpOut_ = std::make_unique<srtp::SrtpSession>(keys.profile, keys.localKey, keys.localSalt,
                                                 srtp::SrtpSession::Direction::Outbound);
  dtlsTimer_.cancel();
  listener_.onTransportConnected(*this);
}

void WebRtcTransport::onDtlsFailed(const std::string& reason) {
  counters_.dtlsFailures++;
  close(reason);
}

void WebRtcTransport::onDtlsClosed() { close("DTLS closed by the peer"); }

void WebRtcTransport::armDtlsTimer() {
  const auto timeout = dtls_.nextTimeout();
  if (!timeout) return;
  dtlsTimer_.expires_after(*timeout);
  dtlsTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    dtls_.onTimeout();
    armDtlsTimer();
  });
}

}  // namespace parley::webrtc
