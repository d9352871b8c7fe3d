#pragma once
// Identifiers that must not be guessable (room ids, tokens, participant ids) come from
// OpenSSL's CSPRNG, never from std::random_device or a seeded PRNG.
#include <cstdint>
#include <string>

namespace parley {

// Fills `size` bytes from the CSPRNG; throws std::runtime_error if it fails.
void secureRandomBytes(void* out, std::size_t size);

// A uniformly distributed integer in [0, bound), without modulo bias.
std::uint32_t secureRandomBelow(std::uint32_t bound);

// A meeting code like "abc-defg-hij": 10 letters, log2(26^10) ≈ 47 bits.
std::string randomRoomId();

// URL-safe base64 (no padding) of `bytes` random bytes.
std::string randomToken(std::size_t bytes = 32);

}  // namespace parley
