#pragma once
// The SRTP keys of one direction of a cascade link, between a worker of one node and a
// worker of another: derived with HKDF-SHA256 (RFC 5869) from the cluster's shared secret
// and the two ends' names. Every direction has keys of its own, so no two senders ever use
// one keystream, and a node that restarts (a new node id) gets new keys.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::cascade {

// AEAD_AES_128_GCM (RFC 7714): 16 bytes of key, 12 of salt.
struct CascadeKeys {
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 12> salt{};
};

// The name of one end: a node and one of its workers.
std::string linkEnd(std::string_view nodeId, unsigned worker);

// Keys for what `from` sends to `to`. Throws if the secret is empty or OpenSSL fails.
CascadeKeys deriveCascadeKeys(std::string_view secret, std::string_view from, std::string_view to);

}  // namespace parley::cascade
