#pragma once
// SRTP and SRTCP (RFC 3711, RFC 7714) on OpenSSL EVP ciphers, in place, one direction per
// session. Contexts are keyed once; protecting or unprotecting a packet allocates nothing.
#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "srtp/ReplayWindow.h"
#include "srtp/SrtpProfile.h"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace parley::srtp {

enum class SrtpError {
  Ok,
  TooShort,       // not even a header
  BadHeader,      // lengths in the header do not fit the packet
  NoRoom,         // the buffer cannot hold the trailer
  AuthFailed,     // tag mismatch: forged, corrupted or wrong key
  Replayed,       // seen before, or older than the replay window
  TooManyStreams, // more SSRCs than a session tracks
};

class SrtpSession {
 public:
  enum class Direction { Inbound, Outbound };

  // `masterKey` and `masterSalt` come from the DTLS exporter, sized for `profile`.
  SrtpSession(SrtpProfile profile, std::span<const std::uint8_t> masterKey,
              std::span<const std::uint8_t> masterSalt, Direction direction);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // `length` is updated; `capacity` must leave kMaxSrtpTrailer bytes past the packet.
  // Protecting the same packet twice (a retransmission) is allowed and yields the same bytes.
  SrtpError protectRtp(std::uint8_t* packet, std::size_t& length, std::size_t capacity);
  SrtpError unprotectRtp(std::uint8_t* packet, std::size_t& length);
  SrtpError protectRtcp(std::uint8_t* packet, std::size_t& length, std::size_t capacity);
  SrtpError unprotectRtcp(std::uint8_t* packet, std::size_t& length);

  SrtpProfile profile() const { return profile_; }

  // SSRCs one session keeps state for: a subscriber in a room of 100 receives about 300
  // (camera, microphone, retransmissions), with room for screens. Past it, new SSRCs fail.
  static constexpr std::size_t kMaxStreams = 1024;

 private:
  struct Stream {
    std::uint32_t ssrc = 0;
    std::uint32_t roc = 0;
    std::uint16_t highestSeq = 0;
    bool started = false;
    ReplayWindow rtpReplay;
    ReplayWindow rtcpReplay;
  };
  struct Keys {
    std::uint8_t encryption[32];
    std::uint8_t salt[14];
    std::uint8_t auth[20];
  };

  Stream* stream(std::uint32_t ssrc, bool create);
  static std::uint64_t estimateIndex(const Stream& s, std::uint16_t seq, std::uint32_t& roc);
  static void advance(Stream& s, std::uint64_t index, std::uint32_t roc, std::uint16_t seq);
  void setupCipher(EVP_CIPHER_CTX*& ctx, EVP_MAC_CTX*& mac, const Keys& keys);
  bool hmac(EVP_MAC_CTX* mac, const std::uint8_t* data, std::size_t length, const std::uint8_t* extra,
            std::size_t extraLength, std::uint8_t* out);
  bool ctr(EVP_CIPHER_CTX* ctx, const std::uint8_t iv[16], std::uint8_t* data, std::size_t length);
  bool gcmSeal(EVP_CIPHER_CTX* ctx, const std::uint8_t iv[12], const std::uint8_t* aad, std::size_t aadLength,
               const std::uint8_t* aad2, std::size_t aad2Length, std::uint8_t* data, std::size_t length,
               std::uint8_t* tag);
  bool gcmOpen(EVP_CIPHER_CTX* ctx, const std::uint8_t iv[12], const std::uint8_t* aad, std::size_t aadLength,
               const std::uint8_t* aad2, std::size_t aad2Length, std::uint8_t* data, std::size_t length,
               const std::uint8_t* tag);

  SrtpProfile profile_;
  SrtpProfileInfo info_;
  Direction direction_;
  Keys rtpKeys_{};
  Keys rtcpKeys_{};
  EVP_CIPHER_CTX* rtpCipher_ = nullptr;
  EVP_CIPHER_CTX* rtcpCipher_ = nullptr;
  EVP_MAC_CTX* rtpMac_ = nullptr;
  EVP_MAC_CTX* rtcpMac_ = nullptr;
  // In order of first use. Most sessions have a handful of SSRCs, searched in one cache
  // line or two; past kLinearStreams (a subscriber in a big room) an index by SSRC takes
  // over. A Stream* is used within one call only: adding a stream may move the others.
  static constexpr std::size_t kLinearStreams = 16;
  std::vector<Stream> streams_;
  std::unordered_map<std::uint32_t, std::uint32_t> streamIndex_;  // SSRC to position, once past kLinearStreams
  std::uint32_t srtcpIndex_ = 0;  // outbound
};

// RFC 3711 §4.3.1 key derivation (AES-CM PRF, key derivation rate 0). The salt is padded
// on the right to 112 bits, which RFC 7714's 96-bit salts need.
void deriveSessionKey(SrtpProfile profile, std::span<const std::uint8_t> masterKey,
                      std::span<const std::uint8_t> masterSalt, std::uint8_t label, std::uint8_t* out,
                      std::size_t outLength);

const char* srtpErrorName(SrtpError error);

}  // namespace parley::srtp
