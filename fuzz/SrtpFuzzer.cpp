// libFuzzer: SRTP and SRTCP unprotection of arbitrary bytes, with each profile.
#include <vector>

#include "FuzzSrtpSession.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto session = parley::fuzz::fuzzSession(data[0], parley::srtp::SrtpSession::Direction::Inbound);
  std::vector<std::uint8_t> copy(data + 1, data + size);
  std::size_t length = copy.size();
  session.unprotectRtp(copy.data(), length);
  copy.assign(data + 1, data + size);
  length = copy.size();
  session.unprotectRtcp(copy.data(), length);
  return 0;
}
