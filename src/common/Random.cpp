#include "common/Random.h"

#include <openssl/rand.h>

#include <stdexcept>

namespace parley {

void secureRandomBytes(void* out, std::size_t size) {
  if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(size)) != 1) {
    throw std::runtime_error("the system random number generator failed");
  }
}

std::uint32_t secureRandomBelow(std::uint32_t bound) {
  // Rejection sampling: drop values from the incomplete last block of size `bound`.
  const std::uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
  for (;;) {
    std::uint32_t value = 0;
    secureRandomBytes(&value, sizeof value);
    if (value < limit) return value % bound;
  }
}

std::string randomRoomId() {
  std::string id;
  for (int group : {3, 4, 3}) {
    if (!id.empty()) id.push_back('-');
    for (int i = 0; i < group; ++i) id.push_back(static_cast<char>('a' + secureRandomBelow(26)));
  }
  return id;
}

std::string randomToken(std::size_t bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string raw(bytes, '\0');
  secureRandomBytes(raw.data(), raw.size());
  std::string out;
  out.reserve((bytes * 4 + 2) / 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

}  // namespace parley
