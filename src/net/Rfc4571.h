#pragma once
// RFC 4571 framing, how ICE-TCP (RFC 6544) carries STUN, DTLS and SRTP over a TCP stream:
// every packet is preceded by its length in two bytes, network order.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

#include "net/UdpSocket.h"

namespace parley::net {

// The largest packet accepted in a frame: what a datagram may be. A peer announcing more is
// not a WebRTC peer (browsers send at most an MTU's worth).
inline constexpr std::size_t kMaxFramedPacket = kMaxDatagram;
inline constexpr std::size_t kFrameHeader = 2;

// Calls onFrame(data, length) for every whole frame at the start of `buffer` (the packet
// may be modified in place until return). Returns the bytes those frames took, or nullopt
// when a frame announces a length of 0 or above kMaxFramedPacket: the stream is garbage.
template <class OnFrame>
std::optional<std::size_t> readFrames(std::span<std::uint8_t> buffer, OnFrame&& onFrame) {
  std::size_t at = 0;
  while (buffer.size() - at >= kFrameHeader) {
    const std::size_t length = (std::size_t{buffer[at]} << 8) | buffer[at + 1];
    if (length == 0 || length > kMaxFramedPacket) return std::nullopt;
    if (buffer.size() - at - kFrameHeader < length) break;
    onFrame(buffer.data() + at + kFrameHeader, length);
    at += kFrameHeader + length;
  }
  return at;
}

// A stream's bytes into whole packets: read into space(), then received(n) hands every
// frame completed to onFrame. At most one partial frame is ever kept, so a buffer of two
// frames always has room for more; nothing is allocated.
class FrameReader {
 public:
  std::span<std::uint8_t> space() { return {buffer_.data() + filled_, buffer_.size() - filled_}; }

  // False when the stream is garbage (a frame of length 0 or too long): close it.
  template <class OnFrame>
  bool received(std::size_t bytes, OnFrame&& onFrame) {
    filled_ += bytes;
    const auto consumed = readFrames({buffer_.data(), filled_}, onFrame);
    if (!consumed) return false;
    std::memmove(buffer_.data(), buffer_.data() + *consumed, filled_ - *consumed);
    filled_ -= *consumed;
    return true;
  }

 private:
  std::array<std::uint8_t, 2 * (kFrameHeader + kMaxFramedPacket)> buffer_{};
  std::size_t filled_ = 0;
};

}  // namespace parley::net
