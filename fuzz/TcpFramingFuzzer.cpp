// libFuzzer: ICE-TCP's RFC 4571 framing on arbitrary streams, read in arbitrary pieces (the
// first byte chooses the piece size): every frame handed out lies within what was read and
// has a length from 1 to the limit; garbage is refused, never read past.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "net/Rfc4571.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 97;
  parley::net::FrameReader reader;
  std::size_t framed = 0;
  for (std::size_t at = 1; at < size;) {
    auto space = reader.space();
    if (space.empty()) std::abort();  // a partial frame must always leave room to read
    const std::size_t n = std::min({piece, size - at, space.size()});
    std::memcpy(space.data(), data + at, n);
    at += n;
    const bool good = reader.received(n, [&](std::uint8_t* frame, std::size_t length) {
      if (length == 0 || length > parley::net::kMaxFramedPacket) std::abort();
      frame[0] ^= 1;  // the packet may be changed in place
      frame[length - 1] ^= 1;
      framed += parley::net::kFrameHeader + length;
    });
    if (!good) return 0;
    if (framed > at - 1) std::abort();
  }
  return 0;
}
