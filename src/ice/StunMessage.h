#pragma once
// STUN (RFC 5389) as ICE uses it: parsing a datagram into a view of its attributes, checking
// MESSAGE-INTEGRITY and FINGERPRINT, and writing binding requests and responses.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "net/Address.h"

namespace parley::ice {

inline constexpr std::uint32_t kMagicCookie = 0x2112A442;
inline constexpr std::uint16_t kBindingRequest = 0x0001;
inline constexpr std::uint16_t kBindingSuccess = 0x0101;
inline constexpr std::uint16_t kBindingError = 0x0111;
inline constexpr std::uint16_t kBindingIndication = 0x0011;

inline constexpr std::uint16_t kAttrMappedAddress = 0x0001;
inline constexpr std::uint16_t kAttrUsername = 0x0006;
inline constexpr std::uint16_t kAttrMessageIntegrity = 0x0008;
inline constexpr std::uint16_t kAttrErrorCode = 0x0009;
inline constexpr std::uint16_t kAttrXorMappedAddress = 0x0020;
inline constexpr std::uint16_t kAttrPriority = 0x0024;
inline constexpr std::uint16_t kAttrUseCandidate = 0x0025;
inline constexpr std::uint16_t kAttrFingerprint = 0x8028;
inline constexpr std::uint16_t kAttrIceControlled = 0x8029;
inline constexpr std::uint16_t kAttrIceControlling = 0x802A;

using TransactionId = std::array<std::uint8_t, 12>;

// A parsed message; spans point into the datagram, which must outlive it.
struct StunMessage {
  std::uint16_t type = 0;
  TransactionId transaction{};
  std::string_view username;
  std::optional<std::uint32_t> priority;
  bool useCandidate = false;
  std::optional<std::uint64_t> iceControlling;
  std::optional<std::uint64_t> iceControlled;
  std::optional<net::Address> xorMappedAddress;
  std::optional<std::uint16_t> errorCode;
  // Offsets of MESSAGE-INTEGRITY and FINGERPRINT attributes (0: absent).
  std::size_t integrityOffset = 0;
  std::size_t fingerprintOffset = 0;
  std::span<const std::uint8_t> raw;

  std::uint16_t method() const { return type & 0x3EEF; }
};

enum class StunParseError { None, NotStun, Truncated, BadLength, BadAttribute, BadFingerprint };

// Parses and checks structure and FINGERPRINT (when present). Never reads past `data`.
std::optional<StunMessage> parseStun(std::span<const std::uint8_t> data, StunParseError* error = nullptr);

// True if the message carries MESSAGE-INTEGRITY and it matches `password` (short-term
// credentials: the key is the password itself).
bool checkIntegrity(const StunMessage& message, std::string_view password);

// Writes messages into `out` (at least kMaxStunSize bytes); returns the length.
inline constexpr std::size_t kMaxStunSize = 548;

// A binding success response to `request`, reporting `mapped`, signed with `password`.
std::size_t writeBindingSuccess(const StunMessage& request, const net::Address& mapped, std::string_view password,
                                std::uint8_t* out);
// A binding error response (e.g. 401 or 487), with FINGERPRINT, and signed with `password`
// when one is given (a 487 answers an authentic request, so it is signed as a success is).
std::size_t writeBindingError(const StunMessage& request, std::uint16_t code, std::uint8_t* out,
                              std::string_view password = {});
// A binding request: a connectivity check of the controlling agent (the load generator,
// nominating with USE-CANDIDATE), or a consent check of the controlled side (the server).
std::size_t writeBindingRequest(const TransactionId& transaction, std::string_view username,
                                std::string_view password, std::uint32_t priority, std::uint64_t tieBreaker,
                                bool controlling, bool useCandidate, std::uint8_t* out);

std::uint32_t crc32(std::span<const std::uint8_t> data);

}  // namespace parley::ice
