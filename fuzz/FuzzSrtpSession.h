#pragma once
// The SRTP fuzzers' sessions: the profile chosen by the input's first byte, fixed keys.
#include <cstdint>
#include <vector>

#include "srtp/SrtpSession.h"

namespace parley::fuzz {

inline srtp::SrtpSession fuzzSession(std::uint8_t selector, srtp::SrtpSession::Direction direction) {
  using srtp::SrtpProfile;
  static const SrtpProfile profiles[] = {SrtpProfile::AeadAes128Gcm, SrtpProfile::AeadAes256Gcm,
                                         SrtpProfile::Aes128CmHmacSha1_80};
  const SrtpProfile profile = profiles[selector % 3];
  const auto info = srtp::profileInfo(profile);
  const std::vector<std::uint8_t> key(info.keyLength, 7), salt(info.saltLength, 9);
  return srtp::SrtpSession(profile, key, salt, direction);
}

}  // namespace parley::fuzz
