#pragma once
// What a room's home and the nodes hosting its media say to each other over a NodeChannel,
// as JSON: commands from the home (the MediaPlane calls, and where the room's other shards
// are), reports from a node (its MediaEvents, and which of its workers host the room).
// Decoders check every field and bound every size: the bytes come from another node, which
// the channel authenticated, but may run another version.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sfu/MediaTypes.h"
#include "sfu/RemoteLinks.h"

namespace parley::routing {

// Sizes a message may not pass: a room of 100 people's offer is about 100 KB.
inline constexpr std::size_t kMaxSdp = 512 * 1024;
inline constexpr std::size_t kMaxListed = 1024;  // tracks, shards, sources
inline constexpr std::size_t kMaxId = 255;

// The first message of a channel, from the home: who it is, and the cluster's key.
struct ChannelHello {
  std::string nodeId;
  std::string key;
};

struct MediaCommand {
  enum class Type { Join, Leave, Publish, Answer, Show, Shards };
  Type type = Type::Join;
  std::string roomId, participantId;
  std::string sdp;                                  // Publish, Answer
  std::map<std::string, sfu::TrackSource> sources;  // Publish
  std::vector<sfu::ShownTrack> shown;               // Show
  std::vector<sfu::RemoteShard> shards;             // Shards: the room's shards on other nodes
};

// A worker of a node hosting a room, and its cascade port.
struct LocalShard {
  unsigned worker = 0;
  std::uint16_t port = 0;
  bool operator==(const LocalShard&) const = default;
};

struct MediaReport {
  enum class Type { Event, Shards };
  Type type = Type::Event;
  sfu::MediaEvent event;          // Event
  std::string roomId;             // Shards
  std::vector<LocalShard> shards;  // Shards: this node's workers hosting the room (none: it left)
};

std::string encodeHello(const ChannelHello& hello);
std::optional<ChannelHello> decodeHello(std::string_view text);
std::string encodeCommand(const MediaCommand& command);
// Nothing, with `error` saying why, for a message that is not a valid command.
std::optional<MediaCommand> decodeCommand(std::string_view text, std::string& error);
std::string encodeReport(const MediaReport& report);
std::optional<MediaReport> decodeReport(std::string_view text, std::string& error);

}  // namespace parley::routing
