#pragma once
// The cascade's own RTCP: which tracks a shard sends (announcements, repeated while the
// track lives, and withdrawals), as RTCP APP packets (RFC 3550 §6.7) named "PRLY", inside
// SRTCP like the link's reports and feedback. Readers check every length: the bytes come
// from the network, authenticated, but a node of another version may write them.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "rtp/Rtcp.h"
#include "sfu/ShardLinks.h"

namespace parley::cascade {

inline constexpr std::uint8_t kRtcpApp = 204;

// A cascade SSRC names a track and a layer: the sender's pipe id, times four, plus the layer.
inline std::uint32_t cascadeSsrc(std::uint32_t pipeId, int layer) {
  return (pipeId << 2) | (static_cast<std::uint32_t>(layer) & 3u);
}
inline std::uint32_t pipeIdOf(std::uint32_t ssrc) { return ssrc >> 2; }
inline int layerOf(std::uint32_t ssrc) { return static_cast<int>(ssrc & 3u); }
// Pipe ids past this cannot be named in a cascade SSRC.
inline constexpr std::uint32_t kMaxCascadePipeId = (1u << 30) - 1;

struct CascadeControl {
  enum class Type { Announcement, Withdrawal };
  Type type = Type::Announcement;
  std::string roomId;
  sfu::RemoteProducerInfo info;  // a withdrawal: only pipeId
};

// Room ids and other names longer than this are not carried (ours are far shorter).
inline constexpr std::size_t kMaxControlName = 255;

// Bytes written to `out` (room for `capacity`), 0 if it does not fit or a name is too long.
std::size_t writeAnnouncement(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc,
                              const std::string& roomId, const sfu::RemoteProducerInfo& info);
std::size_t writeWithdrawal(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc,
                            const std::string& roomId, std::uint32_t pipeId);
// The announcement or withdrawal in an APP part, or nothing if it is not one of ours or is
// malformed.
std::optional<CascadeControl> readCascadeControl(const rtp::RtcpPart& part);

}  // namespace parley::cascade
