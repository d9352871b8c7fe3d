// libFuzzer: SRTP and SRTCP unprotection of arbitrary bytes, with each profile.
#include <vector>

#include "srtp/SrtpSession.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::srtp;
  if (size < 1) return 0;
  static const SrtpProfile profiles[] = {SrtpProfile::AeadAes128Gcm, SrtpProfile::AeadAes256Gcm,
                                         SrtpProfile::Aes128CmHmacSha1_80};
  const SrtpProfile profile = profiles[data[0] % 3];
  const auto info = profileInfo(profile);
  std::vector<std::uint8_t> key(info.keyLength, 1), salt(info.saltLength, 2);
  SrtpSession session(profile, key, salt, SrtpSession::Direction::Inbound);
  std::vector<std::uint8_t> copy(data + 1, data + size);
  std::size_t length = copy.size();
  session.unprotectRtp(copy.data(), length);
  copy.assign(data + 1, data + size);
  length = copy.size();
  session.unprotectRtcp(copy.data(), length);
  return 0;
}
