#include "dtls/DtlsTransport.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <mutex>
#include <stdexcept>

namespace parley::dtls {

namespace {

constexpr int kMtu = 1200;
constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";

std::string lastSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  return buffer;
}

int acceptAnyCertificate(int, X509_STORE_CTX*) {
  // Self-signed is the rule in WebRTC: the SDP fingerprint, checked after the
  // handshake, is what authenticates the peer.
  return 1;
}

// Retransmit the first flight after 100 ms (loopback and LAN answer far faster than the
// 1 s default), then back off to at most 4 s.
unsigned int retransmitTimer(SSL*, unsigned int previousUs) {
  if (previousUs == 0) return 100000;
  return std::min(previousUs * 2, 4000000u);
}

// One SSL_CTX per role for the certificate in use (a server has one for its life); SSL
// objects made from it are per transport and hold their own reference. Keyed by the
// certificate's id: an address could be a new certificate's after the old one was freed,
// and its handshakes would present the old one.
SSL_CTX* contextFor(const std::shared_ptr<Certificate>& certificate, DtlsTransport::Role role) {
  static std::mutex mutex;
  static SSL_CTX* contexts[2] = {nullptr, nullptr};
  static std::uint64_t owner = 0;
  std::lock_guard lock(mutex);
  if (owner != certificate->id()) {
    for (auto*& ctx : contexts) {
      SSL_CTX_free(ctx);
      ctx = nullptr;
    }
    owner = certificate->id();
  }
  SSL_CTX*& ctx = contexts[role == DtlsTransport::Role::Server ? 0 : 1];
  if (ctx) return ctx;
  ctx = SSL_CTX_new(role == DtlsTransport::Role::Server ? DTLS_server_method() : DTLS_client_method());
  if (!ctx) throw std::runtime_error("cannot create the DTLS context");
  SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
  SSL_CTX_use_certificate(ctx, certificate->x509());
  SSL_CTX_use_PrivateKey(ctx, certificate->key());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, acceptAnyCertificate);
  SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                               "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256");
  SSL_CTX_set1_groups_list(ctx, "X25519:P-256");
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
  SSL_CTX_set_read_ahead(ctx, 1);
  // 0 means success for this function.
  if (SSL_CTX_set_tlsext_use_srtp(ctx, srtp::kOpenSslProfileList) != 0) {
    throw std::runtime_error("OpenSSL lacks DTLS-SRTP");
  }
  return ctx;
}

BIO_METHOD* datagramMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_TYPE_SOURCE_SINK | BIO_get_new_index(), "parley-dtls-out");
    return m;
  }();
  return method;
}

}  // namespace

int DtlsTransport::bioWrite(BIO* bio, const char* data, int length) {
  auto* self = static_cast<DtlsTransport*>(BIO_get_data(bio));
  // OpenSSL writes one datagram per call: pass it on as one.
  self->listener_.onDtlsSend(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(length));
  return length;
}

long DtlsTransport::bioCtrl(BIO*, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_MTU: return kMtu;
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU: return kMtu;
    case BIO_CTRL_WPENDING:
    case BIO_CTRL_PENDING: return 0;
    default: return 0;
  }
}

DtlsTransport::DtlsTransport(std::shared_ptr<Certificate> certificate, Role role, Listener& listener)
    : certificate_(std::move(certificate)), role_(role), listener_(listener) {
  static std::once_flag once;
  std::call_once(once, [] {
    BIO_meth_set_write(datagramMethod(), &DtlsTransport::bioWrite);
    BIO_meth_set_ctrl(datagramMethod(), &DtlsTransport::bioCtrl);
    BIO_meth_set_create(datagramMethod(), [](BIO* bio) {
      BIO_set_init(bio, 1);
      return 1;
    });
  });
  ssl_ = SSL_new(contextFor(certificate_, role_));
  if (!ssl_) throw std::runtime_error("cannot create a DTLS session");
  readBio_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(readBio_, -1);
  BIO* writeBio = BIO_new(datagramMethod());
  BIO_set_data(writeBio, this);
  SSL_set_bio(ssl_, readBio_, writeBio);
  SSL_set_mtu(ssl_, kMtu);
  DTLS_set_link_mtu(ssl_, kMtu);
  DTLS_set_timer_cb(ssl_, retransmitTimer);
  if (role_ == Role::Server) SSL_set_accept_state(ssl_);
  else SSL_set_connect_state(ssl_);
}

DtlsTransport::~DtlsTransport() { SSL_free(ssl_); }

void DtlsTransport::setRemoteFingerprint(std::string algorithm, std::string value) {
  remoteAlgorithm_ = std::move(algorithm);
  remoteFingerprint_ = std::move(value);
  for (auto& c : remoteFingerprint_) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  // The handshake can finish before the SDP answer with the fingerprint arrives.
  if (awaitingFingerprint_) {
    awaitingFingerprint_ = false;
    verifyAndExport();
  }
}

void DtlsTransport::start() {
  if (state_ != State::New) return;
  state_ = State::Connecting;
  if (role_ == Role::Client) continueHandshake();
}

void DtlsTransport::onPacket(const std::uint8_t* data, std::size_t length) {
  if (state_ == State::Failed || state_ == State::Closed) return;
  if (state_ == State::New) state_ = State::Connecting;
  BIO_write(readBio_, data, static_cast<int>(length));
  if (state_ == State::Connecting) continueHandshake();
  if (state_ == State::Connected) drainApplicationData();
  // Anything OpenSSL did not consume (garbage) must not linger for the next packet.
  (void)BIO_reset(readBio_);
}

void DtlsTransport::continueHandshake() {
  const int result = SSL_do_handshake(ssl_);
  if (result != 1) {
    const int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    return fail("DTLS handshake failed: " + lastSslError());
  }
  if (remoteFingerprint_.empty()) {
    awaitingFingerprint_ = true;
    return;
  }
  verifyAndExport();
}

void DtlsTransport::verifyAndExport() {
  X509* peer = SSL_get1_peer_certificate(ssl_);
  if (!peer) return fail("the peer sent no certificate");
  const std::string fingerprint = sha256Fingerprint(peer);
  X509_free(peer);
  if (remoteAlgorithm_ != "sha-256" || fingerprint != remoteFingerprint_) {
    return fail("the peer's certificate does not match the fingerprint in its SDP");
  }
  const SRTP_PROTECTION_PROFILE* negotiated = SSL_get_selected_srtp_profile(ssl_);
  const auto profile = negotiated ? srtp::profileFromId(static_cast<std::uint16_t>(negotiated->id)) : std::nullopt;
  if (!profile) return fail("no SRTP profile was negotiated");
  const auto info = srtp::profileInfo(*profile);
  std::vector<std::uint8_t> material(2 * (info.keyLength + info.saltLength));
  if (SSL_export_keying_material(ssl_, material.data(), material.size(), kExporterLabel, sizeof kExporterLabel - 1,
                                 nullptr, 0, 0) != 1) {
    return fail("cannot export the SRTP keys");
  }
  // RFC 5764 §4.2: client key, server key, client salt, server salt.
  const auto at = [&](std::size_t offset, std::size_t length) {
    return std::vector<std::uint8_t>(material.begin() + static_cast<long>(offset),
                                     material.begin() + static_cast<long>(offset + length));
  };
  const auto clientKey = at(0, info.keyLength);
  const auto serverKey = at(info.keyLength, info.keyLength);
  const auto clientSalt = at(2 * info.keyLength, info.saltLength);
  const auto serverSalt = at(2 * info.keyLength + info.saltLength, info.saltLength);
  SrtpKeys keys{*profile, {}, {}, {}, {}};
  if (role_ == Role::Server) {
    keys = {*profile, serverKey, serverSalt, clientKey, clientSalt};
  } else {
    keys = {*profile, clientKey, clientSalt, serverKey, serverSalt};
  }
  OPENSSL_cleanse(material.data(), material.size());
  state_ = State::Connected;
  listener_.onDtlsConnected(keys);
}

void DtlsTransport::drainApplicationData() {
  // WebRTC media does not use DTLS application data here; reading processes alerts.
  std::uint8_t buffer[2048];
  for (;;) {
    const int n = SSL_read(ssl_, buffer, sizeof buffer);
    if (n > 0) continue;
    const int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_ZERO_RETURN) {
      state_ = State::Closed;
      listener_.onDtlsClosed();
    }
    ERR_clear_error();
    return;
  }
}

std::optional<std::chrono::milliseconds> DtlsTransport::nextTimeout() const {
  if (state_ != State::Connecting) return std::nullopt;
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_, &tv) != 1) return std::nullopt;
  return std::chrono::milliseconds(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

void DtlsTransport::onTimeout() {
  if (state_ != State::Connecting) return;
  if (DTLSv1_handle_timeout(ssl_) < 0) fail("DTLS handshake timed out");
}

void DtlsTransport::close() {
  if (state_ == State::Connected) {
    SSL_shutdown(ssl_);  // sends close_notify through the listener
  }
  state_ = State::Closed;
}

void DtlsTransport::fail(const std::string& reason) {
  state_ = State::Failed;
  ERR_clear_error();
  listener_.onDtlsFailed(reason);
}

}  // namespace parley::dtls
