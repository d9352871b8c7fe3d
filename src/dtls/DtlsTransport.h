#pragma once
// DTLS 1.2 for DTLS-SRTP (RFC 5764) over OpenSSL. Records come in through onPacket() and
// leave, one datagram each, through the listener; the transport never touches a socket.
// After the handshake it checks the peer's certificate against the SDP fingerprint and
// exports the SRTP keys.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dtls/Certificate.h"
#include "srtp/SrtpProfile.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct bio_st BIO;

namespace parley::dtls {

struct SrtpKeys {
  srtp::SrtpProfile profile;
  std::vector<std::uint8_t> localKey, localSalt, remoteKey, remoteSalt;
};

class DtlsTransport {
 public:
  enum class Role { Server, Client };
  enum class State { New, Connecting, Connected, Failed, Closed };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onDtlsSend(const std::uint8_t* data, std::size_t length) = 0;
    virtual void onDtlsConnected(const SrtpKeys& keys) = 0;
    virtual void onDtlsFailed(const std::string& reason) = 0;
    virtual void onDtlsClosed() = 0;
  };

  DtlsTransport(std::shared_ptr<Certificate> certificate, Role role, Listener& listener);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // "sha-256" and "AB:CD:..." from the peer's SDP. Only sha-256 is accepted.
  void setRemoteFingerprint(std::string algorithm, std::string value);
  // The client sends its ClientHello; the server starts waiting for one.
  void start();
  void onPacket(const std::uint8_t* data, std::size_t length);
  // When to call onTimeout() next (retransmission), if a timer is running.
  std::optional<std::chrono::milliseconds> nextTimeout() const;
  void onTimeout();
  void close();

  State state() const { return state_; }
  Role role() const { return role_; }

 private:
  static int bioWrite(BIO* bio, const char* data, int length);
  static long bioCtrl(BIO* bio, int cmd, long num, void* ptr);
  void continueHandshake();
  void verifyAndExport();
  void fail(const std::string& reason);
  void drainApplicationData();

  std::shared_ptr<Certificate> certificate_;
  Role role_;
  Listener& listener_;
  SSL* ssl_ = nullptr;
  BIO* readBio_ = nullptr;
  State state_ = State::New;
  std::string remoteAlgorithm_, remoteFingerprint_;
  bool awaitingFingerprint_ = false;
};

}  // namespace parley::dtls
