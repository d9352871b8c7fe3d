#include "signaling/Protocol.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "common/Clock.h"
#include "sfu/MediaTypes.h"
#include "signaling/Validation.h"

namespace parley::signaling {

using nlohmann::json;

namespace {

constexpr std::string_view kReactions[] = {"thumbs-up", "clap", "laugh", "heart", "party", "surprised", "thinking"};

ProtocolError malformed(std::string message) { return {ErrorCode::Malformed, std::move(message)}; }
ProtocolError invalid(std::string message) { return {ErrorCode::Invalid, std::move(message)}; }

// nlohmann's parser copes with depth, but a frame of 64 KiB of '[' would still build a deep
// tree for nothing: refuse it before parsing.
bool nestingWithin(std::string_view frame, int maxDepth) {
  int depth = 0;
  bool inString = false;
  for (std::size_t i = 0; i < frame.size(); ++i) {
    const char c = frame[i];
    if (inString) {
      if (c == '\\') ++i;
      else if (c == '"') inString = false;
      continue;
    }
    if (c == '"') inString = true;
    else if (c == '[' || c == '{') {
      if (++depth > maxDepth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

const json* field(const json& object, const char* name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> stringField(const json& object, const char* name) {
  const json* value = field(object, name);
  if (!value || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

template <typename T>
ParseResult fromValidated(std::variant<std::string, ValidationError> checked, T&& build) {
  if (auto* error = std::get_if<ValidationError>(&checked)) return invalid(error->message);
  return build(std::get<std::string>(std::move(checked)));
}

ParseResult parseJoin(const json& object) {
  JoinRequest join;
  if (const json* version = field(object, "version")) {
    if (!version->is_number_integer()) return malformed("\"version\" must be an integer");
    join.version = version->get<int>();
    if (join.version != kProtocolVersion) {
      return ProtocolError{ErrorCode::UnsupportedVersion,
                           "this server speaks protocol version " + std::to_string(kProtocolVersion)};
    }
  }
  const auto name = stringField(object, "name");
  if (!name) return malformed("join needs a string \"name\"");
  if (const json* token = field(object, "token"); token && !token->is_null()) {
    if (!token->is_string() || token->get_ref<const std::string&>().size() > 256) {
      return malformed("\"token\" must be a string of at most 256 bytes");
    }
    join.token = token->get<std::string>();
  }
  if (const json* resume = field(object, "resume"); resume && !resume->is_null()) {
    if (!resume->is_string() || resume->get_ref<const std::string&>().size() > 256) {
      return malformed("\"resume\" must be a string of at most 256 bytes");
    }
    join.resume = resume->get<std::string>();
  }
  return fromValidated(validateDisplayName(*name), [&](std::string clean) -> ParseResult {
    join.name = std::move(clean);
    return join;
  });
}

ParseResult parseMediaState(const json& object) {
  MediaStateRequest state;
  for (auto [name, slot] : {std::pair{"audio_muted", &state.audioMuted}, std::pair{"video_muted", &state.videoMuted}}) {
    if (const json* value = field(object, name)) {
      if (!value->is_boolean()) return malformed(std::string("\"") + name + "\" must be a boolean");
      *slot = value->get<bool>();
    }
  }
  if (!state.audioMuted && !state.videoMuted) return malformed("media-state needs audio_muted or video_muted");
  return state;
}

constexpr std::pair<std::string_view, ModerateRequest::Action> kModerationActions[] = {
    {"mute", ModerateRequest::Action::Mute},         {"remove", ModerateRequest::Action::Remove},
    {"promote", ModerateRequest::Action::Promote},   {"demote", ModerateRequest::Action::Demote},
    {"mute-all", ModerateRequest::Action::MuteAll},  {"lower-hands", ModerateRequest::Action::LowerHands},
    {"end", ModerateRequest::Action::End}};

bool needsTarget(ModerateRequest::Action action) {
  using A = ModerateRequest::Action;
  return action == A::Mute || action == A::Remove || action == A::Promote || action == A::Demote;
}

// Ids the server made: short, printable. Anything else names nobody.
std::optional<std::string> idField(const json& object, const char* name) {
  auto id = stringField(object, name);
  if (!id || id->empty() || id->size() > 64) return std::nullopt;
  return id;
}

ParseResult parseModerate(const json& object) {
  ModerateRequest request;
  const auto action = stringField(object, "action");
  if (!action) return malformed("moderate needs a string \"action\"");
  const auto known = std::find_if(std::begin(kModerationActions), std::end(kModerationActions),
                                  [&](const auto& entry) { return entry.first == *action; });
  if (known == std::end(kModerationActions)) {
    return invalid("unknown moderation action \"" + action->substr(0, 32) + "\"");
  }
  request.action = known->second;
  if (!needsTarget(request.action)) return request;
  if (!field(object, "target") || !field(object, "target")->is_string()) {
    return malformed("moderate " + *action + " needs a string \"target\"");
  }
  const auto target = idField(object, "target");
  if (!target) return invalid("unknown participant");
  request.target = *target;
  return request;
}

ParseResult parseAdmit(const json& object) {
  AdmitRequest request;
  if (const json* all = field(object, "all"); all && !all->is_null()) {
    if (!all->is_boolean()) return malformed("\"all\" must be a boolean");
    request.all = all->get<bool>();
  }
  if (request.all) return request;
  const auto id = idField(object, "id");
  if (!id) return malformed("admit needs a string \"id\" (someone waiting) or \"all\": true");
  request.id = *id;
  return request;
}

ParseResult parseRoomSettings(const json& object) {
  RoomSettingsRequest request;
  if (const json* access = field(object, "access"); access && !access->is_null()) {
    if (!access->is_string()) return malformed("\"access\" must be a string");
    request.access = parseAccessLevel(access->get_ref<const std::string&>());
    if (!request.access) return invalid("\"access\" must be public, trusted or restricted");
  }
  if (const json* locked = field(object, "locked"); locked && !locked->is_null()) {
    if (!locked->is_boolean()) return malformed("\"locked\" must be a boolean");
    request.locked = locked->get<bool>();
  }
  if (!request.access && !request.locked) return malformed("room-settings needs \"access\" or \"locked\"");
  return request;
}

}  // namespace

const char* roleName(Role role) { return role == Role::Moderator ? "moderator" : "member"; }

const char* moderationActionName(ModerateRequest::Action action) {
  for (const auto& [name, known] : kModerationActions) {
    if (known == action) return name.data();
  }
  return "moderate";
}

bool isKnownReaction(std::string_view name) {
  for (auto known : kReactions) {
    if (known == name) return true;
  }
  return false;
}

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::Malformed: return "malformed";
    case ErrorCode::TooLarge: return "too-large";
    case ErrorCode::UnknownType: return "unknown-type";
    case ErrorCode::Invalid: return "invalid";
    case ErrorCode::UnsupportedVersion: return "unsupported-version";
    case ErrorCode::NotJoined: return "not-joined";
    case ErrorCode::AlreadyJoined: return "already-joined";
    case ErrorCode::Forbidden: return "forbidden";
    case ErrorCode::NotFound: return "not-found";
    case ErrorCode::RateLimited: return "rate-limited";
    case ErrorCode::RoomFull: return "room-full";
    case ErrorCode::LimitReached: return "limit-reached";
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::Locked: return "locked";
  }
  return "error";
}

ParseResult parseVideoView(const json& object) {
  const json* tracks = field(object, "tracks");
  if (!tracks || !tracks->is_array() || tracks->size() > kMaxViewedTracks) {
    return malformed("video-view needs an array \"tracks\" of at most 512 {mid, height}");
  }
  VideoViewRequest view;
  view.tracks.reserve(tracks->size());
  for (const auto& track : *tracks) {
    if (!track.is_object()) return malformed("each video-view track is an object {mid, height}");
    const auto mid = stringField(track, "mid");
    const json* height = field(track, "height");
    if (!mid || mid->empty() || mid->size() > 32) return malformed("a video-view track needs a string \"mid\"");
    if (!height || !height->is_number_integer()) return malformed("a video-view track needs an integer \"height\"");
    const auto value = height->get<std::int64_t>();
    if (value < 0 || value > kMaxViewHeight) return invalid("a video-view height is 0 to 8192 pixels");
    view.tracks.push_back({*mid, static_cast<int>(value)});
  }
  return view;
}

ParseResult parseClientMessage(std::string_view frame) {
  if (frame.size() > kMaxSdpMessageBytes) return ProtocolError{ErrorCode::TooLarge, "message is larger than 768 KiB"};
  if (!nestingWithin(frame, kMaxJsonDepth)) return malformed("message is nested too deeply");
  const json object = json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return malformed("message is not valid JSON");
  if (!object.is_object()) return malformed("message must be a JSON object");
  const auto type = stringField(object, "type");
  if (!type) return malformed("message needs a string \"type\"");
  const bool carriesSdp = *type == "publish" || *type == "subscribe-answer";
  if (!carriesSdp && frame.size() > kMaxMessageBytes) {
    return ProtocolError{ErrorCode::TooLarge, "message is larger than 64 KiB"};
  }

  if (*type == "join") return parseJoin(object);
  if (*type == "chat") {
    const auto text = stringField(object, "text");
    if (!text) return malformed("chat needs a string \"text\"");
    return fromValidated(validateChatText(*text), [](std::string clean) -> ParseResult {
      return ChatRequest{std::move(clean)};
    });
  }
  if (*type == "hand") {
    const json* raised = field(object, "raised");
    if (!raised || !raised->is_boolean()) return malformed("hand needs a boolean \"raised\"");
    return HandRequest{raised->get<bool>()};
  }
  if (*type == "reaction") {
    const auto reaction = stringField(object, "reaction");
    if (!reaction) return malformed("reaction needs a string \"reaction\"");
    if (!isKnownReaction(*reaction)) return invalid("unknown reaction");
    return ReactionRequest{*reaction};
  }
  if (*type == "media-state") return parseMediaState(object);
  if (*type == "moderate") return parseModerate(object);
  if (*type == "publish") {
    const auto sdp = stringField(object, "sdp");
    if (!sdp || sdp->empty()) return malformed("publish needs a string \"sdp\"");
    PublishRequest publish{*sdp, {}};
    if (const json* sources = field(object, "sources")) {
      if (!sources->is_object() || sources->size() > 16) return malformed("\"sources\" must map mids to sources");
      for (const auto& [mid, source] : sources->items()) {
        if (!source.is_string() || mid.size() > 32) return malformed("\"sources\" must map mids to sources");
        const auto& name = source.get_ref<const std::string&>();
        sfu::TrackSource known;
        if (!sfu::parseSource(name, known)) return invalid("unknown track source");
        publish.sources[mid] = name;
      }
    }
    return publish;
  }
  if (*type == "subscribe-answer") {
    const auto sdp = stringField(object, "sdp");
    if (!sdp || sdp->empty()) return malformed("subscribe-answer needs a string \"sdp\"");
    return SubscribeAnswerRequest{*sdp};
  }
  if (*type == "video-view") return parseVideoView(object);
  if (*type == "chat-history") {
    const json* before = field(object, "before");
    if (!before || !before->is_number_integer() || before->get<std::int64_t>() < 1) {
      return malformed("chat-history needs a positive integer \"before\" (a message id)");
    }
    return ChatHistoryRequest{before->get<std::int64_t>()};
  }
  if (*type == "admit") return parseAdmit(object);
  if (*type == "deny") {
    const auto id = idField(object, "id");
    if (!id) return malformed("deny needs a string \"id\" (someone waiting)");
    return DenyRequest{*id};
  }
  if (*type == "room-settings") return parseRoomSettings(object);
  if (*type == "ping") return PingRequest{};
  if (*type == "leave") return LeaveRequest{};
  return ProtocolError{ErrorCode::UnknownType, "unknown message type \"" + type->substr(0, 32) + "\""};
}

}  // namespace parley::signaling
