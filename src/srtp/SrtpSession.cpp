#include "srtp/SrtpSession.h"

#include "common/Bytes.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>

namespace parley::srtp {

namespace {

constexpr std::uint8_t kLabelRtpEncryption = 0;
constexpr std::uint8_t kLabelRtpAuth = 1;
constexpr std::uint8_t kLabelRtpSalt = 2;
constexpr std::uint8_t kLabelRtcpEncryption = 3;
constexpr std::uint8_t kLabelRtcpAuth = 4;
constexpr std::uint8_t kLabelRtcpSalt = 5;
constexpr std::size_t kHmacKeyLength = 20;
constexpr std::size_t kRtcpHeaderLength = 8;
constexpr std::uint32_t kSrtcpEncryptedFlag = 0x80000000u;

// Header length of an RTP packet (fixed part, CSRCs, extension), or 0 if it does not fit.
std::size_t rtpHeaderLength(const std::uint8_t* p, std::size_t length) {
  if (length < 12 || (p[0] >> 6) != 2) return 0;
  std::size_t header = 12 + 4 * std::size_t(p[0] & 0x0F);
  if (p[0] & 0x10) {
    if (length < header + 4) return 0;
    header += 4 + 4 * std::size_t(read16(p + header + 2));
  }
  return header <= length ? header : 0;
}

// RFC 7714 §8.1 (RTP) and §9.1 (RTCP): 12-byte IV = salt XOR (00 00 | SSRC | 32 bits | 16 bits).
void gcmIv(std::uint8_t iv[12], const std::uint8_t* salt, std::uint32_t ssrc, std::uint32_t high, std::uint16_t low) {
  std::memset(iv, 0, 12);
  write32(iv + 2, ssrc);
  write32(iv + 6, high);
  iv[10] = static_cast<std::uint8_t>(low >> 8);
  iv[11] = static_cast<std::uint8_t>(low);
  for (int i = 0; i < 12; ++i) iv[i] ^= salt[i];
}

// RFC 3711 §4.1.1: 16-byte IV = (salt·2^16) XOR (SSRC·2^64) XOR (index·2^16).
void ctrIv(std::uint8_t iv[16], const std::uint8_t* salt, std::uint32_t ssrc, std::uint64_t index) {
  std::memset(iv, 0, 16);
  std::memcpy(iv, salt, 14);
  for (int i = 0; i < 4; ++i) iv[4 + i] ^= static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
  for (int i = 0; i < 6; ++i) iv[8 + i] ^= static_cast<std::uint8_t>(index >> (40 - 8 * i));
}

const EVP_CIPHER* ctrCipher() { return EVP_aes_128_ctr(); }
const EVP_CIPHER* gcmCipher(std::size_t keyLength) {
  return keyLength == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
}

}  // namespace

std::optional<SrtpProfile> profileFromId(std::uint16_t id) {
  switch (id) {
    case 0x0001: return SrtpProfile::Aes128CmHmacSha1_80;
    case 0x0007: return SrtpProfile::AeadAes128Gcm;
    case 0x0008: return SrtpProfile::AeadAes256Gcm;
  }
  return std::nullopt;
}

std::string_view profileName(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::Aes128CmHmacSha1_80: return "AES_CM_128_HMAC_SHA1_80";
    case SrtpProfile::AeadAes128Gcm: return "AEAD_AES_128_GCM";
    case SrtpProfile::AeadAes256Gcm: return "AEAD_AES_256_GCM";
  }
  return "unknown";
}

const char* srtpErrorName(SrtpError error) {
  switch (error) {
    case SrtpError::Ok: return "ok";
    case SrtpError::TooShort: return "too short";
    case SrtpError::BadHeader: return "bad header";
    case SrtpError::NoRoom: return "no room for the trailer";
    case SrtpError::AuthFailed: return "authentication failed";
    case SrtpError::Replayed: return "replayed";
    case SrtpError::TooManyStreams: return "too many streams";
  }
  return "unknown";
}

void deriveSessionKey(SrtpProfile profile, std::span<const std::uint8_t> masterKey,
                      std::span<const std::uint8_t> masterSalt, std::uint8_t label, std::uint8_t* out,
                      std::size_t outLength) {
  // x = label at byte 7 of the 112-bit salt; the PRF is AES in counter mode from x·2^16.
  std::uint8_t iv[16] = {};
  std::memcpy(iv, masterSalt.data(), std::min<std::size_t>(masterSalt.size(), 14));
  iv[7] ^= label;
  const EVP_CIPHER* cipher = masterKey.size() == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::memset(out, 0, outLength);
  int written = 0;
  const bool ok = ctx && EVP_EncryptInit_ex(ctx, cipher, nullptr, masterKey.data(), iv) == 1 &&
                  EVP_EncryptUpdate(ctx, out, &written, out, static_cast<int>(outLength)) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) throw std::runtime_error("SRTP key derivation failed");
}

SrtpSession::SrtpSession(SrtpProfile profile, std::span<const std::uint8_t> masterKey,
                         std::span<const std::uint8_t> masterSalt, Direction direction)
    : profile_(profile), info_(profileInfo(profile)), direction_(direction) {
  if (masterKey.size() != info_.keyLength || masterSalt.size() != info_.saltLength) {
    throw std::invalid_argument("SRTP master key or salt has the wrong length for the profile");
  }
  const auto derive = [&](Keys& keys, std::uint8_t encLabel, std::uint8_t authLabel, std::uint8_t saltLabel) {
    deriveSessionKey(profile, masterKey, masterSalt, encLabel, keys.encryption, info_.keyLength);
    deriveSessionKey(profile, masterKey, masterSalt, saltLabel, keys.salt, info_.saltLength);
    if (!info_.aead) deriveSessionKey(profile, masterKey, masterSalt, authLabel, keys.auth, kHmacKeyLength);
  };
  derive(rtpKeys_, kLabelRtpEncryption, kLabelRtpAuth, kLabelRtpSalt);
  derive(rtcpKeys_, kLabelRtcpEncryption, kLabelRtcpAuth, kLabelRtcpSalt);
  setupCipher(rtpCipher_, rtpMac_, rtpKeys_);
  setupCipher(rtcpCipher_, rtcpMac_, rtcpKeys_);
  streams_.reserve(8);
}

SrtpSession::~SrtpSession() {
  EVP_CIPHER_CTX_free(rtpCipher_);
  EVP_CIPHER_CTX_free(rtcpCipher_);
  EVP_MAC_CTX_free(rtpMac_);
  EVP_MAC_CTX_free(rtcpMac_);
  OPENSSL_cleanse(&rtpKeys_, sizeof rtpKeys_);
  OPENSSL_cleanse(&rtcpKeys_, sizeof rtcpKeys_);
}

void SrtpSession::setupCipher(EVP_CIPHER_CTX*& ctx, EVP_MAC_CTX*& mac, const Keys& keys) {
  ctx = EVP_CIPHER_CTX_new();
  if (!ctx) throw std::runtime_error("out of memory");
  const bool encrypt = direction_ == Direction::Outbound || !info_.aead;  // CTR is symmetric
  const EVP_CIPHER* cipher = info_.aead ? gcmCipher(info_.keyLength) : ctrCipher();
  if (EVP_CipherInit_ex(ctx, cipher, nullptr, keys.encryption, nullptr, encrypt ? 1 : 0) != 1) {
    throw std::runtime_error("SRTP cipher setup failed");
  }
  if (info_.aead) return;
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  mac = hmac ? EVP_MAC_CTX_new(hmac) : nullptr;
  EVP_MAC_free(hmac);
  char digest[] = "SHA1";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  if (!mac || EVP_MAC_init(mac, keys.auth, kHmacKeyLength, params) != 1) {
    throw std::runtime_error("SRTP HMAC setup failed");
  }
}

bool SrtpSession::hmac(EVP_MAC_CTX* mac, const std::uint8_t* data, std::size_t length, const std::uint8_t* extra,
                       std::size_t extraLength, std::uint8_t* out) {
  std::uint8_t digest[20];
  std::size_t digestLength = 0;
  // A null key re-initialises with the key already set: no allocation per packet.
  if (EVP_MAC_init(mac, nullptr, 0, nullptr) != 1 || EVP_MAC_update(mac, data, length) != 1 ||
      (extraLength && EVP_MAC_update(mac, extra, extraLength) != 1) ||
      EVP_MAC_final(mac, digest, &digestLength, sizeof digest) != 1) {
    return false;
  }
  std::memcpy(out, digest, info_.tagLength);
  return true;
}

bool SrtpSession::ctr(EVP_CIPHER_CTX* ctx, const std::uint8_t iv[16], std::uint8_t* data, std::size_t length) {
  int written = 0;
  return EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv, -1) == 1 &&
         (length == 0 || EVP_CipherUpdate(ctx, data, &written, data, static_cast<int>(length)) == 1);
}

bool SrtpSession::gcmSeal(EVP_CIPHER_CTX* ctx, const std::uint8_t iv[12], const std::uint8_t* aad,
                          std::size_t aadLength, const std::uint8_t* aad2, std::size_t aad2Length,
                          std::uint8_t* data, std::size_t length, std::uint8_t* tag) {
  int written = 0;
  return EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) == 1 &&
         EVP_EncryptUpdate(ctx, nullptr, &written, aad, static_cast<int>(aadLength)) == 1 &&
         (aad2Length == 0 || EVP_EncryptUpdate(ctx, nullptr, &written, aad2, static_cast<int>(aad2Length)) == 1) &&
         (length == 0 || EVP_EncryptUpdate(ctx, data, &written, data, static_cast<int>(length)) == 1) &&
         EVP_EncryptFinal_ex(ctx, data + length, &written) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
}

bool SrtpSession::gcmOpen(EVP_CIPHER_CTX* ctx, const std::uint8_t iv[12], const std::uint8_t* aad,
                          std::size_t aadLength, const std::uint8_t* aad2, std::size_t aad2Length,
                          std::uint8_t* data, std::size_t length, const std::uint8_t* tag) {
  int written = 0;
  return EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, const_cast<std::uint8_t*>(tag)) == 1 &&
         EVP_DecryptUpdate(ctx, nullptr, &written, aad, static_cast<int>(aadLength)) == 1 &&
         (aad2Length == 0 || EVP_DecryptUpdate(ctx, nullptr, &written, aad2, static_cast<int>(aad2Length)) == 1) &&
         (length == 0 || EVP_DecryptUpdate(ctx, data, &written, data, static_cast<int>(length)) == 1) &&
         EVP_DecryptFinal_ex(ctx, data + length, &written) == 1;
}

SrtpSession::Stream* SrtpSession::stream(std::uint32_t ssrc, bool create) {
  if (streamIndex_.empty()) {
    for (auto& s : streams_) {
      if (s.ssrc == ssrc) return &s;
    }
  } else if (const auto it = streamIndex_.find(ssrc); it != streamIndex_.end()) {
    return &streams_[it->second];
  }
  if (!create || streams_.size() >= kMaxStreams) return nullptr;
  streams_.push_back(Stream{});
  streams_.back().ssrc = ssrc;
  if (streams_.size() > kLinearStreams) {
    if (streamIndex_.empty()) {
      for (std::uint32_t i = 0; i < streams_.size(); ++i) streamIndex_.emplace(streams_[i].ssrc, i);
    } else {
      streamIndex_.emplace(ssrc, static_cast<std::uint32_t>(streams_.size() - 1));
    }
  }
  return &streams_.back();
}

// The stream's highest index moves forward only; older packets (retransmissions,
// reordering) leave it as it is.
void SrtpSession::advance(Stream& s, std::uint64_t index, std::uint32_t roc, std::uint16_t seq) {
  if (s.started && index <= ((std::uint64_t{s.roc} << 16) | s.highestSeq)) return;
  s.started = true;
  s.roc = roc;
  s.highestSeq = seq;
}

// RFC 3711 Appendix A: the rollover counter that puts `seq` closest to the highest seen.
std::uint64_t SrtpSession::estimateIndex(const Stream& s, std::uint16_t seq, std::uint32_t& roc) {
  roc = s.roc;
  if (!s.started) return std::uint64_t{seq};
  if (s.highestSeq < 32768) {
    if (seq > s.highestSeq && seq - s.highestSeq > 32768 && s.roc > 0) roc = s.roc - 1;
  } else if (s.highestSeq - 32768 > seq) {
    roc = s.roc + 1;
  }
  return (std::uint64_t{roc} << 16) | seq;
}

SrtpError SrtpSession::protectRtp(std::uint8_t* p, std::size_t& length, std::size_t capacity) {
  const std::size_t header = rtpHeaderLength(p, length);
  if (length < 12) return SrtpError::TooShort;
  if (header == 0) return SrtpError::BadHeader;
  if (length + info_.tagLength > capacity) return SrtpError::NoRoom;
  const std::uint32_t ssrc = read32(p + 8);
  const std::uint16_t seq = read16(p + 2);
  Stream* s = stream(ssrc, true);
  if (!s) return SrtpError::TooManyStreams;
  std::uint32_t roc = 0;
  const std::uint64_t index = estimateIndex(*s, seq, roc);
  advance(*s, index, roc, seq);
  std::uint8_t* payload = p + header;
  const std::size_t payloadLength = length - header;
  if (info_.aead) {
    std::uint8_t iv[12];
    gcmIv(iv, rtpKeys_.salt, ssrc, roc, seq);
    if (!gcmSeal(rtpCipher_, iv, p, header, nullptr, 0, payload, payloadLength, payload + payloadLength)) {
      return SrtpError::AuthFailed;
    }
  } else {
    std::uint8_t iv[16];
    ctrIv(iv, rtpKeys_.salt, ssrc, index);
    std::uint8_t rocBytes[4];
    write32(rocBytes, roc);
    if (!ctr(rtpCipher_, iv, payload, payloadLength) ||
        !hmac(rtpMac_, p, length, rocBytes, 4, p + length)) {
      return SrtpError::AuthFailed;
    }
  }
  length += info_.tagLength;
  return SrtpError::Ok;
}

SrtpError SrtpSession::unprotectRtp(std::uint8_t* p, std::size_t& length) {
  if (length < 12 + info_.tagLength) return SrtpError::TooShort;
  const std::size_t authenticated = length - info_.tagLength;
  const std::size_t header = rtpHeaderLength(p, authenticated);
  if (header == 0) return SrtpError::BadHeader;
  const std::uint32_t ssrc = read32(p + 8);
  const std::uint16_t seq = read16(p + 2);
  Stream* known = stream(ssrc, false);
  Stream fresh;
  const Stream& s = known ? *known : fresh;
  std::uint32_t roc = 0;
  const std::uint64_t index = estimateIndex(s, seq, roc);
  if (known && !s.rtpReplay.check(index)) return SrtpError::Replayed;

  std::uint8_t* payload = p + header;
  const std::size_t payloadLength = authenticated - header;
  if (info_.aead) {
    std::uint8_t iv[12];
    gcmIv(iv, rtpKeys_.salt, ssrc, roc, seq);
    if (!gcmOpen(rtpCipher_, iv, p, header, nullptr, 0, payload, payloadLength, p + authenticated)) {
      return SrtpError::AuthFailed;
    }
  } else {
    std::uint8_t rocBytes[4];
    write32(rocBytes, roc);
    std::uint8_t tag[20];
    if (!hmac(rtpMac_, p, authenticated, rocBytes, 4, tag) || CRYPTO_memcmp(tag, p + authenticated, info_.tagLength) != 0) {
      return SrtpError::AuthFailed;
    }
    std::uint8_t iv[16];
    ctrIv(iv, rtpKeys_.salt, ssrc, index);
    if (!ctr(rtpCipher_, iv, payload, payloadLength)) return SrtpError::AuthFailed;
  }
  // Authenticated: now the packet may create state and move the window.
  Stream* st = known ? known : stream(ssrc, true);
  if (!st) return SrtpError::TooManyStreams;
  advance(*st, index, roc, seq);
  st->rtpReplay.accept(index);
  length = authenticated;
  return SrtpError::Ok;
}

SrtpError SrtpSession::protectRtcp(std::uint8_t* p, std::size_t& length, std::size_t capacity) {
  if (length < kRtcpHeaderLength) return SrtpError::TooShort;
  if ((p[0] >> 6) != 2) return SrtpError::BadHeader;
  if (length + info_.tagLength + 4 > capacity) return SrtpError::NoRoom;
  const std::uint32_t ssrc = read32(p + 4);
  srtcpIndex_ = (srtcpIndex_ + 1) & 0x7FFFFFFF;
  const std::uint32_t index = srtcpIndex_;
  std::uint8_t eIndex[4];
  write32(eIndex, kSrtcpEncryptedFlag | index);
  std::uint8_t* body = p + kRtcpHeaderLength;
  const std::size_t bodyLength = length - kRtcpHeaderLength;
  if (info_.aead) {
    std::uint8_t iv[12];
    gcmIv(iv, rtcpKeys_.salt, ssrc, index >> 16, static_cast<std::uint16_t>(index));
    if (!gcmSeal(rtcpCipher_, iv, p, kRtcpHeaderLength, eIndex, 4, body, bodyLength, body + bodyLength)) {
      return SrtpError::AuthFailed;
    }
    std::memcpy(p + length + 16, eIndex, 4);
    length += 16 + 4;
  } else {
    std::uint8_t iv[16];
    ctrIv(iv, rtcpKeys_.salt, ssrc, index);
    if (!ctr(rtcpCipher_, iv, body, bodyLength)) return SrtpError::AuthFailed;
    std::memcpy(p + length, eIndex, 4);
    if (!hmac(rtcpMac_, p, length + 4, nullptr, 0, p + length + 4)) return SrtpError::AuthFailed;
    length += 4 + info_.tagLength;
  }
  return SrtpError::Ok;
}

SrtpError SrtpSession::unprotectRtcp(std::uint8_t* p, std::size_t& length) {
  if (length < kRtcpHeaderLength + 4 + info_.tagLength) return SrtpError::TooShort;
  if ((p[0] >> 6) != 2) return SrtpError::BadHeader;
  const std::uint32_t ssrc = read32(p + 4);
  std::uint32_t eIndex = 0;
  std::size_t end = 0;  // end of the (encrypted) RTCP packet
  if (info_.aead) {
    end = length - 4 - 16;
    eIndex = read32(p + length - 4);
  } else {
    end = length - info_.tagLength - 4;
    eIndex = read32(p + end);
  }
  const std::uint32_t index = eIndex & 0x7FFFFFFF;
  const bool encrypted = eIndex & kSrtcpEncryptedFlag;
  Stream* known = stream(ssrc, false);
  if (known && !known->rtcpReplay.check(index)) return SrtpError::Replayed;
  std::uint8_t* body = p + kRtcpHeaderLength;
  const std::size_t bodyLength = end - kRtcpHeaderLength;
  if (info_.aead) {
    std::uint8_t iv[12];
    gcmIv(iv, rtcpKeys_.salt, ssrc, index >> 16, static_cast<std::uint16_t>(index));
    std::uint8_t trailer[4];
    std::memcpy(trailer, p + length - 4, 4);
    // Unencrypted SRTCP with GCM authenticates the whole packet as AAD.
    const bool ok = encrypted ? gcmOpen(rtcpCipher_, iv, p, kRtcpHeaderLength, trailer, 4, body, bodyLength, p + end)
                              : gcmOpen(rtcpCipher_, iv, p, end, trailer, 4, nullptr, 0, p + end);
    if (!ok) return SrtpError::AuthFailed;
  } else {
    std::uint8_t tag[20];
    if (!hmac(rtcpMac_, p, end + 4, nullptr, 0, tag) || CRYPTO_memcmp(tag, p + end + 4, info_.tagLength) != 0) {
      return SrtpError::AuthFailed;
    }
    if (encrypted) {
      std::uint8_t iv[16];
      ctrIv(iv, rtcpKeys_.salt, ssrc, index);
      if (!ctr(rtcpCipher_, iv, body, bodyLength)) return SrtpError::AuthFailed;
    }
  }
  Stream* st = known ? known : stream(ssrc, true);
  if (!st) return SrtpError::TooManyStreams;
  st->rtcpReplay.accept(index);
  length = end;
  return SrtpError::Ok;
}

}  // namespace parley::srtp
