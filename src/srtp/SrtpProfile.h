#pragma once
// The SRTP protection profiles Parley negotiates in DTLS-SRTP (RFC 5764, RFC 7714),
// preferred first.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace parley::srtp {

enum class SrtpProfile : std::uint16_t {
  Aes128CmHmacSha1_80 = 0x0001,  // RFC 3711, the mandatory fallback
  AeadAes128Gcm = 0x0007,        // RFC 7714
  AeadAes256Gcm = 0x0008,
};

struct SrtpProfileInfo {
  std::size_t keyLength;   // master and session encryption key, bytes
  std::size_t saltLength;  // master and session salt, bytes
  std::size_t tagLength;   // authentication tag appended to each packet
  bool aead;
};

constexpr SrtpProfileInfo profileInfo(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::AeadAes128Gcm: return {16, 12, 16, true};
    case SrtpProfile::AeadAes256Gcm: return {32, 12, 16, true};
    case SrtpProfile::Aes128CmHmacSha1_80: break;
  }
  return {16, 14, 10, false};
}

// OpenSSL's names, for SSL_CTX_set_tlsext_use_srtp, GCM first.
inline constexpr const char* kOpenSslProfileList =
    "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

std::optional<SrtpProfile> profileFromId(std::uint16_t id);
std::string_view profileName(SrtpProfile profile);

// The largest trailer protect() appends (tag plus the SRTCP index word).
inline constexpr std::size_t kMaxSrtpTrailer = 16 + 4;

}  // namespace parley::srtp
