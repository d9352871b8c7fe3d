#include "webrtc/WebRtcTransport.h"

#include <algorithm>
#include <cstring>

#include "common/Bytes.h"
#include "common/Random.h"

namespace parley::webrtc {

namespace {
using Clock = std::chrono::steady_clock;
// Our checks' priority attribute: a host candidate's, as RFC 8445 computes it.
constexpr std::uint32_t kCheckPriority = 0x6E0001FF;
// Between checks to a path that has not answered yet (a browser may still be setting up).
constexpr auto kRetryUnanswered = std::chrono::milliseconds(500);
}  // namespace

IceParameters randomIceParameters() {
  // ufrag: at least 24 bits of randomness (RFC 8445); pwd: at least 128 bits.
  return {randomToken(6), randomToken(18)};
}

WebRtcTransport::WebRtcTransport(boost::asio::io_context& io, PacketSender& sender,
                                 std::shared_ptr<dtls::Certificate> certificate, dtls::DtlsTransport::Role dtlsRole,
                                 IceRole iceRole, Transport::Listener& listener, TransportCounters& counters, std::uint32_t serial)
    : io_(io),
      sender_(sender),
      iceRole_(iceRole),
      listener_(listener),
      counters_(counters),
      serial_(serial),
      localIce_(randomIceParameters()),
      dtls_(std::move(certificate), dtlsRole, *this),
      dtlsTimer_(io),
      created_(Clock::now()) {
  secureRandomBytes(&tieBreaker_, sizeof tieBreaker_);
  paths_.reserve(kMaxPaths);
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

WebRtcTransport::Path* WebRtcTransport::findPath(const net::Address& address) {
  for (auto& path : paths_) {
    if (path.address == address) return &path;
  }
  return nullptr;
}

WebRtcTransport::Path& WebRtcTransport::pathFor(const net::Address& address, std::optional<net::Address>& forgotten) {
  if (Path* known = findPath(address)) return *known;
  if (paths_.size() >= kMaxPaths) {
    // Bounded: the least recently seen path that is not the selected one makes room.
    auto oldest = paths_.end();
    for (auto it = paths_.begin(); it != paths_.end(); ++it) {
      if (selected_ && it->address == *selected_) continue;
      if (oldest == paths_.end() || it->seen < oldest->seen) oldest = it;
    }
    forgotten = oldest->address;
    paths_.erase(oldest);
  }
  paths_.push_back(Path{address});
  return paths_.back();
}

void WebRtcTransport::select(const Path& path) {
  selected_ = path.address;
  consented_ = true;
  announceIfConnected();
}

void WebRtcTransport::announceIfConnected() {
  // Connected means both: keys from DTLS and a path with consent, whichever comes last.
  if (announced_ || !connected()) return;
  announced_ = true;
  listener_.onTransportConnected(*this);
}

void WebRtcTransport::sendCheck(Path& path, bool nominate, Clock::time_point now) {
  if (remoteIce_.ufrag.empty() || remoteIce_.pwd.empty()) return;  // not before the peer's SDP
  SentCheck& slot = sentChecks_[nextCheckSlot_++ % sentChecks_.size()];
  // The transaction id opens with our serial (the server finds us by it); the other 64
  // bits are random, so nobody off the path can forge an answer.
  write32(slot.transaction.data(), serial_);
  secureRandomBytes(slot.transaction.data() + 4, slot.transaction.size() - 4);
  slot.to = path.address;
  slot.used = false;
  std::uint8_t request[ice::kMaxStunSize];
  const std::string username = remoteIce_.ufrag + ":" + localIce_.ufrag;
  const bool controlling = iceRole_ == IceRole::Controlling;
  const std::size_t length = ice::writeBindingRequest(slot.transaction, username, remoteIce_.pwd, kCheckPriority,
                                                      tieBreaker_, controlling, nominate && controlling, request);
  sender_.send(request, length, path.address);
  counters_.consentChecks++;
  // Every 4 to 6 s (RFC 7675: randomized, so peers do not synchronize).
  const auto jitter = std::chrono::milliseconds(secureRandomBelow(2000));
  path.nextCheck = now + (consentFresh(path, now) ? kConsentInterval - std::chrono::seconds(1) + jitter
                                                  : std::chrono::duration_cast<Clock::duration>(kRetryUnanswered));
}

StunCheckResult WebRtcTransport::onStunRequest(const ice::StunMessage& request, const net::Address& from) {
  StunCheckResult result;
  if (closed_) return result;
  counters_.stunRequests++;
  // USERNAME is "our ufrag:their ufrag"; the demultiplexer matched ours.
  const auto colon = request.username.find(':');
  const bool remoteMatches = remoteIce_.ufrag.empty() ||
                             (colon != std::string_view::npos && request.username.substr(colon + 1) == remoteIce_.ufrag);
  if (!remoteMatches || !ice::checkIntegrity(request, localIce_.pwd) || request.fingerprintOffset == 0) {
    counters_.stunRejected++;
    return result;
  }
  result.accepted = true;
  std::uint8_t response[ice::kMaxStunSize];
  if (iceRole_ == IceRole::Controlling && request.iceControlling) {
    // Both sides think they control (a full ICE peer that offered, as Janus does): the
    // larger tie-breaker keeps the role (RFC 8445 7.3.1.1).
    if (tieBreaker_ >= *request.iceControlling) {
      sender_.send(response, ice::writeBindingError(request, kRoleConflict, response, localIce_.pwd), from);
      return result;
    }
    becomeControlled();
  }
  // The answer goes to where the request came from: it is the same size as the request.
  sender_.send(response, ice::writeBindingSuccess(request, from, localIce_.pwd, response), from);
  if (iceRole_ == IceRole::Controlling) return result;  // the server checking our consent

  const auto now = Clock::now();
  Path& path = pathFor(from, result.forgotten);
  path.seen = now;
  if (request.useCandidate) path.nominated = true;
  if (consentFresh(path, now)) {
    // A nominated path that has consented carries media (the peer may have moved to it).
    if (path.nominated && (!selected_ || *selected_ != path.address)) select(path);
  } else if (now >= path.nextCheck) {
    // Not consented yet: ask it ourselves. Media follows only its answer.
    sendCheck(path, false, now);
  }
  if (!dtlsStarted_) startDtls();  // as DTLS server it waits for the ClientHello
  return result;
}

bool WebRtcTransport::onStunResponse(const ice::StunMessage& response, const net::Address& from) {
  if (closed_) return false;
  SentCheck* check = nullptr;
  for (auto& slot : sentChecks_) {
    if (!slot.used && slot.transaction == response.transaction) check = &slot;
  }
  // An answer proves consent only from the address asked, signed with the peer's password.
  if (!check || !(check->to == from) || !ice::checkIntegrity(response, remoteIce_.pwd)) {
    counters_.consentRefusals++;
    return false;
  }
  check->used = true;
  const auto now = Clock::now();
  Path* known = findPath(from);
  if (response.type == ice::kBindingError && response.errorCode == kRoleConflict && known &&
      iceRole_ == IceRole::Controlling) {
    // The peer keeps the controlling role (RFC 8445 7.2.5.1): take the other and ask again;
    // the peer's nomination now decides the path.
    becomeControlled();
    sendCheck(*known, false, now);
    return false;
  }
  if (response.type != ice::kBindingSuccess) {
    counters_.consentRefusals++;
    return false;
  }
  if (!known) return false;  // forgotten since we asked
  Path& path = *known;
  path.consentUntil = now + kConsentLifetime;
  path.nextCheck = std::min(path.nextCheck, now + kConsentInterval);
  if (iceRole_ == IceRole::Controlling) path.nominated = true;  // we nominated it
  if (!selected_ || *selected_ == path.address || path.nominated) select(path);
  if (!dtlsStarted_) startDtls();
  return true;
}

void WebRtcTransport::becomeControlled() {
  iceRole_ = IceRole::Controlled;
  counters_.roleConflicts++;
  // What we nominated was only our proposal: the controlling peer nominates now.
  for (auto& path : paths_) path.nominated = false;
}

void WebRtcTransport::onPathClosed(const net::Address& address) {
  std::erase_if(paths_, [&](const Path& path) { return path.address == address; });
  if (dtlsPeer_ == address) dtlsPeer_.reset();
  if (selected_ == address) {
    // Not one more packet there; another path that answers may take over, or consent ends.
    selected_.reset();
    consented_ = false;
  }
}

void WebRtcTransport::connectTo(const net::Address& remote) {
  std::optional<net::Address> forgotten;
  Path& path = pathFor(remote, forgotten);
  path.nominated = true;
  sendCheck(path, true, Clock::now());
}

void WebRtcTransport::tickConsent(Clock::time_point now) {
  if (closed_) return;
  if (!selected_) {
    // Nobody has consented to anything yet: keep asking the paths that checked us, and
    // give up after the consent lifetime, as a dead peer would be.
    for (auto& path : paths_) {
      if (now >= path.nextCheck) sendCheck(path, iceRole_ == IceRole::Controlling, now);
    }
    if (now - created_ > kConsentLifetime) close("ICE consent expired");
    return;
  }
  Path* path = findPath(*selected_);
  if (!path || !consentFresh(*path, now)) {
    consented_ = false;  // not one more packet to an address that stopped answering
    close("ICE consent expired");
    return;
  }
  if (now >= path->nextCheck) sendCheck(*path, false, now);
}

void WebRtcTransport::startDtls() {
  dtlsStarted_ = true;
  dtls_.start();
  armDtlsTimer();
}

void WebRtcTransport::onDtls(const std::uint8_t* data, std::size_t length, const net::Address& from) {
  if (closed_) return;
  dtlsPeer_ = from;  // answers go back to where this record came from
  dtls_.onPacket(data, length);
  armDtlsTimer();
}

void WebRtcTransport::onSrtp(std::uint8_t* data, std::size_t length, const net::Address&, bool rtcp) {
  if (closed_ || !srtpIn_) return;
  const auto result = rtcp ? srtpIn_->unprotectRtcp(data, length) : srtpIn_->unprotectRtp(data, length);
  if (result != srtp::SrtpError::Ok) {
    counters_.srtpFailures++;
    return;
  }
  if (rtcp) listener_.onRtcp(*this, data, length);
  else listener_.onRtp(*this, data, length);
}

bool WebRtcTransport::sendRtp(std::uint8_t* packet, std::size_t length, std::size_t capacity, bool droppable) {
  if (!connected()) return false;
  if (srtpOut_->protectRtp(packet, length, capacity) != srtp::SrtpError::Ok) return false;
  sender_.send(packet, length, *selected_, droppable);
  return true;
}

bool WebRtcTransport::sendRtcp(std::uint8_t* packet, std::size_t length, std::size_t capacity) {
  if (!connected()) return false;
  if (srtpOut_->protectRtcp(packet, length, capacity) != srtp::SrtpError::Ok) return false;
  sender_.send(packet, length, *selected_);
  return true;
}

void WebRtcTransport::close(const std::string& reason) {
  if (closed_) return;
  dtls_.close();
  closed_ = true;
  dtlsTimer_.cancel();
  listener_.onTransportClosed(*this, reason);
}

void WebRtcTransport::onDtlsSend(const std::uint8_t* data, std::size_t length) {
  // The DTLS client (the load generator) opens towards its selected path; a server answers
  // the source of the record it is answering.
  if (dtlsPeer_) sender_.send(data, length, *dtlsPeer_);
  else if (selected_) sender_.send(data, length, *selected_);
}

void WebRtcTransport::onDtlsConnected(const dtls::SrtpKeys& keys) {
  srtpIn_ = std::make_unique<srtp::SrtpSession>(keys.profile, keys.remoteKey, keys.remoteSalt,
                                                srtp::SrtpSession::Direction::Inbound);
  srtpOut_ = std::make_unique<srtp::SrtpSession>(keys.profile, keys.localKey, keys.localSalt,
                                                 srtp::SrtpSession::Direction::Outbound);
  dtlsTimer_.cancel();
  announceIfConnected();
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
