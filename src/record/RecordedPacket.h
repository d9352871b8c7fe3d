#pragma once
// One slot of a recording's queue from the media threads to its writer thread: a track's
// announcement or one of its RTP packets, copied in place (no allocation on the media path).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::record {

enum class TrackKind : std::uint8_t { Audio, Video };
enum class TrackOrigin : std::uint8_t { Microphone, Camera, Screen, ScreenAudio };

struct RecordedPacket {
  static constexpr std::size_t kMaxPayload = 1500;
  static constexpr std::size_t kMaxOwner = 64;
  enum class Type : std::uint8_t { Track, Media };

  Type type = Type::Media;
  std::uint32_t track = 0;
  // A Track announcement: who publishes it, what it is, its codec's RTP name.
  TrackKind kind = TrackKind::Audio;
  TrackOrigin origin = TrackOrigin::Microphone;
  char codec[8] = {};
  char owner[kMaxOwner] = {};
  std::uint8_t ownerLength = 0;
  // Media: the RTP packet's fields and payload.
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  bool marker = false;
  std::int64_t arrivalMicros = 0;
  std::uint16_t length = 0;
  std::uint8_t payload[kMaxPayload];

  std::string_view ownerId() const { return {owner, ownerLength}; }
  std::string_view codecName() const;
};

inline std::string_view RecordedPacket::codecName() const {
  std::size_t n = 0;
  while (n < sizeof codec && codec[n]) ++n;
  return {codec, n};
}

}  // namespace parley::record
