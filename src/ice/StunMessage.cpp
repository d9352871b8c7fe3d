#include "ice/StunMessage.h"

#include "common/Bytes.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

namespace parley::ice {

namespace {

constexpr std::uint32_t kFingerprintXor = 0x5354554e;
constexpr std::size_t kHeader = 20;

const std::array<std::uint32_t, 256>& crcTable() {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

bool hmacSha1(std::string_view key, const std::uint8_t* data, std::size_t length, std::uint8_t out[20]) {
  unsigned int outLength = 0;
  return HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), data, length, out, &outLength) != nullptr &&
         outLength == 20;
}

std::optional<net::Address> parseXorAddress(const std::uint8_t* value, std::size_t length,
                                            const TransactionId& transaction) {
  if (length < 8) return std::nullopt;
  net::Address address;
  address.port = read16(value + 2) ^ static_cast<std::uint16_t>(kMagicCookie >> 16);
  std::uint8_t mask[16];
  write32(mask, kMagicCookie);
  std::memcpy(mask + 4, transaction.data(), 12);
  if (value[1] == 0x01) {
    for (int i = 0; i < 4; ++i) address.ip[i] = value[4 + i] ^ mask[i];
  } else if (value[1] == 0x02 && length >= 20) {
    address.v6 = true;
    for (int i = 0; i < 16; ++i) address.ip[i] = value[4 + i] ^ mask[i];
  } else {
    return std::nullopt;
  }
  return address;
}

// Builds a message attribute by attribute into a caller's buffer.
class Writer {
 public:
  Writer(std::uint8_t* out, std::uint16_t type, const TransactionId& transaction) : out_(out) {
    write16(out_, type);
    write16(out_ + 2, 0);
    write32(out_ + 4, kMagicCookie);
    std::memcpy(out_ + 8, transaction.data(), 12);
    size_ = kHeader;
  }
  std::uint8_t* attribute(std::uint16_t type, std::size_t length) {
    write16(out_ + size_, type);
    write16(out_ + size_ + 2, static_cast<std::uint16_t>(length));
    std::uint8_t* value = out_ + size_ + 4;
    const std::size_t padded = (length + 3) & ~std::size_t{3};
    std::memset(value, 0, padded);
    size_ += 4 + padded;
    write16(out_ + 2, static_cast<std::uint16_t>(size_ - kHeader));
    return value;
  }
  void integrity(std::string_view password) {
    std::uint8_t* value = attribute(kAttrMessageIntegrity, 20);
    hmacSha1(password, out_, static_cast<std::size_t>(value - 4 - out_), value);
  }
  void fingerprint() {
    std::uint8_t* value = attribute(kAttrFingerprint, 4);
    write32(value, crc32({out_, static_cast<std::size_t>(value - 4 - out_)}) ^ kFingerprintXor);
  }
  std::size_t size() const { return size_; }

 private:
  std::uint8_t* out_;
  std::size_t size_;
};

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> data) {
  const auto& table = crcTable();
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::uint8_t b : data) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::optional<StunMessage> parseStun(std::span<const std::uint8_t> data, StunParseError* error) {
  const auto fail = [&](StunParseError e) -> std::optional<StunMessage> {
    if (error) *error = e;
    return std::nullopt;
  };
  if (data.size() < kHeader) return fail(StunParseError::Truncated);
  const std::uint8_t* p = data.data();
  if ((p[0] & 0xC0) != 0 || read32(p + 4) != kMagicCookie) return fail(StunParseError::NotStun);
  const std::size_t length = read16(p + 2);
  if (length % 4 != 0 || kHeader + length != data.size()) return fail(StunParseError::BadLength);

  StunMessage m;
  m.type = read16(p);
  std::memcpy(m.transaction.data(), p + 8, 12);
  m.raw = data;
  std::size_t offset = kHeader;
  while (offset + 4 <= data.size()) {
    const std::uint16_t type = read16(p + offset);
    const std::size_t attrLength = read16(p + offset + 2);
    const std::size_t padded = (attrLength + 3) & ~std::size_t{3};
    if (offset + 4 + padded > data.size()) return fail(StunParseError::BadAttribute);
    const std::uint8_t* value = p + offset + 4;
    // After MESSAGE-INTEGRITY only FINGERPRINT may follow; after FINGERPRINT nothing.
    if (m.fingerprintOffset) return fail(StunParseError::BadAttribute);
    if (m.integrityOffset && type != kAttrFingerprint) {
      offset += 4 + padded;
      continue;  // ignored, as RFC 5389 §15.4 says
    }
    switch (type) {
      case kAttrUsername:
        if (attrLength > 513) return fail(StunParseError::BadAttribute);
        m.username = std::string_view(reinterpret_cast<const char*>(value), attrLength);
        break;
      case kAttrPriority:
        if (attrLength != 4) return fail(StunParseError::BadAttribute);
        m.priority = read32(value);
        break;
      case kAttrUseCandidate:
        m.useCandidate = true;
        break;
      case kAttrIceControlling:
        if (attrLength != 8) return fail(StunParseError::BadAttribute);
        m.iceControlling = read64(value);
        break;
      case kAttrIceControlled:
        if (attrLength != 8) return fail(StunParseError::BadAttribute);
        m.iceControlled = read64(value);
        break;
      case kAttrXorMappedAddress:
        m.xorMappedAddress = parseXorAddress(value, attrLength, m.transaction);
        if (!m.xorMappedAddress) return fail(StunParseError::BadAttribute);
        break;
      case kAttrErrorCode:
        if (attrLength < 4) return fail(StunParseError::BadAttribute);
        m.errorCode = static_cast<std::uint16_t>((value[2] & 0x7) * 100 + value[3]);
        break;
      case kAttrMessageIntegrity:
        if (attrLength != 20) return fail(StunParseError::BadAttribute);
        m.integrityOffset = offset;
        break;
      case kAttrFingerprint: {
        if (attrLength != 4) return fail(StunParseError::BadAttribute);
        m.fingerprintOffset = offset;
        const std::uint32_t expected = crc32(data.first(offset)) ^ kFingerprintXor;
        if (read32(value) != expected) return fail(StunParseError::BadFingerprint);
        break;
      }
      default:
        break;  // unknown comprehension-optional attributes are ignored
    }
    offset += 4 + padded;
  }
  if (offset != data.size()) return fail(StunParseError::BadAttribute);
  if (error) *error = StunParseError::None;
  return m;
}

bool checkIntegrity(const StunMessage& m, std::string_view password) {
  if (m.integrityOffset == 0) return false;
  // HMAC over the message up to MESSAGE-INTEGRITY, with the length field as if the
  // message ended right after it.
  std::uint8_t copy[kMaxStunSize * 4];
  if (m.integrityOffset > sizeof copy) return false;
  std::memcpy(copy, m.raw.data(), m.integrityOffset);
  write16(copy + 2, static_cast<std::uint16_t>(m.integrityOffset + 4 + 20 - kHeader));
  std::uint8_t expected[20];
  if (!hmacSha1(password, copy, m.integrityOffset, expected)) return false;
  return CRYPTO_memcmp(expected, m.raw.data() + m.integrityOffset + 4, 20) == 0;
}

std::size_t writeBindingSuccess(const StunMessage& request, const net::Address& mapped, std::string_view password,
                                std::uint8_t* out) {
  Writer w(out, kBindingSuccess, request.transaction);
  std::uint8_t* value = w.attribute(kAttrXorMappedAddress, mapped.v6 ? 20 : 8);
  value[1] = mapped.v6 ? 0x02 : 0x01;
  write16(value + 2, mapped.port ^ static_cast<std::uint16_t>(kMagicCookie >> 16));
  std::uint8_t mask[16];
  write32(mask, kMagicCookie);
  std::memcpy(mask + 4, request.transaction.data(), 12);
  for (int i = 0; i < (mapped.v6 ? 16 : 4); ++i) value[4 + i] = mapped.ip[i] ^ mask[i];
  w.integrity(password);
  w.fingerprint();
  return w.size();
}

std::size_t writeBindingError(const StunMessage& request, std::uint16_t code, std::uint8_t* out,
                              std::string_view password) {
  Writer w(out, kBindingError, request.transaction);
  std::uint8_t* value = w.attribute(kAttrErrorCode, 4);
  value[2] = static_cast<std::uint8_t>(code / 100);
  value[3] = static_cast<std::uint8_t>(code % 100);
  if (!password.empty()) w.integrity(password);
  w.fingerprint();
  return w.size();
}

std::size_t writeBindingRequest(const TransactionId& transaction, std::string_view username,
                                std::string_view password, std::uint32_t priority, std::uint64_t tieBreaker,
                                bool controlling, bool useCandidate, std::uint8_t* out) {
  Writer w(out, kBindingRequest, transaction);
  std::memcpy(w.attribute(kAttrUsername, username.size()), username.data(), username.size());
  write32(w.attribute(kAttrPriority, 4), priority);
  std::uint8_t* role = w.attribute(controlling ? kAttrIceControlling : kAttrIceControlled, 8);
  write32(role, static_cast<std::uint32_t>(tieBreaker >> 32));
  write32(role + 4, static_cast<std::uint32_t>(tieBreaker));
  if (useCandidate) w.attribute(kAttrUseCandidate, 0);
  w.integrity(password);
  w.fingerprint();
  return w.size();
}

}  // namespace parley::ice
