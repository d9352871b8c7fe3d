// libFuzzer: SRTP and SRTCP past authentication. The input is a plaintext packet (after a
// profile byte); it is protected with the session key, so the receiver's tag check passes
// and what follows runs on fuzzed headers: CSRC counts, extensions, padding, indexes. A
// packet we could protect must come back as it was, once: a second copy is a replay.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "FuzzSrtpSession.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using parley::srtp::SrtpError;
  using Direction = parley::srtp::SrtpSession::Direction;
  if (size < 2 || size > 1500) return 0;
  auto sender = parley::fuzz::fuzzSession(data[0], Direction::Outbound);
  auto receiver = parley::fuzz::fuzzSession(data[0], Direction::Inbound);
  const std::vector<std::uint8_t> plain(data + 1, data + size);
  for (const bool rtcp : {false, true}) {
    std::vector<std::uint8_t> packet = plain;
    packet.resize(plain.size() + parley::srtp::kMaxSrtpTrailer);
    std::size_t length = plain.size();
    const auto sealed = rtcp ? sender.protectRtcp(packet.data(), length, packet.size())
                             : sender.protectRtp(packet.data(), length, packet.size());
    if (sealed != SrtpError::Ok) continue;
    const std::vector<std::uint8_t> sent(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(length));
    const auto opened = rtcp ? receiver.unprotectRtcp(packet.data(), length) : receiver.unprotectRtp(packet.data(), length);
    if (opened != SrtpError::Ok || length != plain.size() || std::memcmp(packet.data(), plain.data(), length) != 0) {
      std::abort();  // our own packet did not survive the round trip
    }
    std::vector<std::uint8_t> again = sent;
    length = again.size();
    const auto replayed = rtcp ? receiver.unprotectRtcp(again.data(), length) : receiver.unprotectRtp(again.data(), length);
    if (replayed == SrtpError::Ok) std::abort();  // a replay got through
  }
  return 0;
}
