#pragma once
// RFC 7983: what a datagram on a WebRTC port is, from its first bytes.
#include <cstddef>
#include <cstdint>

namespace parley::net {

enum class PacketKind { Stun, Dtls, Rtp, Rtcp, Unknown };

inline PacketKind classify(const std::uint8_t* data, std::size_t length) {
  if (length < 2) return PacketKind::Unknown;
  const std::uint8_t b = data[0];
  if (b <= 3) return length >= 20 ? PacketKind::Stun : PacketKind::Unknown;
  if (b >= 20 && b <= 63) return PacketKind::Dtls;
  if (b >= 128 && b <= 191) {
    // RTCP packet types 192-223 (RFC 5761) sit where RTP has its marker bit and payload type.
    const std::uint8_t type = data[1];
    return (type >= 192 && type <= 223) ? PacketKind::Rtcp : PacketKind::Rtp;
  }
  return PacketKind::Unknown;
}

}  // namespace parley::net
