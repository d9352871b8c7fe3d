#include "signaling/Protocol.h"

#include <nlohmann/json.hpp>

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

ParseResult parseModerate(const json& object) {
  ModerateRequest request;
  const auto action = stringField(object, "action");
  const auto target = stringField(object, "target");
  if (!action || !target) return malformed("moderate needs string \"action\" and \"target\"");
  if (*action == "mute") request.action = ModerateRequest::Action::Mute;
  else if (*action == "remove") request.action = ModerateRequest::Action::Remove;
  else return invalid("unknown moderation action \"" + action->substr(0, 32) + "\"");
  if (target->empty() || target->size() > 64) return invalid("unknown participant");
  request.target = *target;
  return request;
}

}  // namespace

const char* roleName(Role role) { return role == Role::Moderator ? "moderator" : "member"; }

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
  }
  return "error";
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
  if (*type == "chat-history") {
    const json* before = field(object, "before");
    if (!before || !before->is_number_integer() || before->get<std::int64_t>() < 1) {
      return malformed("chat-history needs a positive integer \"before\" (a message id)");
    }
    return ChatHistoryRequest{before->get<std::int64_t>()};
  }
  if (*type == "ping") return PingRequest{};
  if (*type == "leave") return LeaveRequest{};
  return ProtocolError{ErrorCode::UnknownType, "unknown message type \"" + type->substr(0, 32) + "\""};
}

namespace {

json toJson(const ChatView& c) {
  return {{"id", c.id}, {"from", c.from}, {"name", c.name}, {"text", c.text}, {"sent_at", formatIsoTime(c.sentAt)}};
}

json toJson(const ChatPage& page) {
  json list = json::array();
  for (const auto& c : page.messages) list.push_back(toJson(c));
  return list;
}

// Names and chat come from users and may hold any valid UTF-8: dump() escapes what JSON needs.
std::string frame(json body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

json participantJson(const ParticipantView& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"role", roleName(p.role)},
          {"joined_at", formatIsoTime(p.joinedAt)},
          {"hand_raised", p.handRaised},
          {"audio_muted", p.audioMuted},
          {"video_muted", p.videoMuted}};
}

std::string welcomeFrame(const std::string& roomId, const std::string& roomName, const ParticipantView& you,
                         const std::vector<ParticipantView>& participants, const ChatPage& chat, bool media,
                         const std::vector<IceServerView>& iceServers, const std::string& resumeToken) {
  json list = json::array();
  for (const auto& p : participants) list.push_back(participantJson(p));
  json servers = json::array();
  for (const auto& server : iceServers) {
    servers.push_back({{"urls", server.urls}, {"username", server.username}, {"credential", server.credential}});
  }
  return frame({{"type", "welcome"},
                {"version", kProtocolVersion},
                {"room", {{"id", roomId}, {"name", roomName}}},
                {"you", participantJson(you)},
                {"participants", std::move(list)},
                {"chat", toJson(chat)},
                {"chat_more", chat.more},
                {"media", media},
                {"ice_servers", std::move(servers)},
                {"resume_token", resumeToken}});
}

std::string chatHistoryFrame(const ChatPage& page) {
  return frame({{"type", "chat-history"}, {"messages", toJson(page)}, {"more", page.more}});
}

std::string participantJoinedFrame(const ParticipantView& participant) {
  return frame({{"type", "participant-joined"}, {"participant", participantJson(participant)}});
}

std::string participantUpdatedFrame(const ParticipantView& participant) {
  return frame({{"type", "participant-updated"}, {"participant", participantJson(participant)}});
}

std::string participantLeftFrame(const std::string& id, std::string_view reason) {
  return frame({{"type", "participant-left"}, {"id", id}, {"reason", reason}});
}

std::string chatFrame(const ChatView& message) { return frame({{"type", "chat"}, {"message", toJson(message)}}); }

std::string reactionFrame(const std::string& from, const std::string& reaction) {
  return frame({{"type", "reaction"}, {"from", from}, {"reaction", reaction}});
}

std::string mutedByModeratorFrame(const std::string& by) { return frame({{"type", "muted"}, {"by", by}}); }

std::string removedFrame(const std::string& by) { return frame({{"type", "removed"}, {"by", by}}); }

std::string pongFrame() { return R"({"type":"pong"})"; }

std::string publishAnswerFrame(const std::string& sdp) { return frame({{"type", "publish-answer"}, {"sdp", sdp}}); }

std::string subscribeOfferFrame(const std::string& sdp, const std::vector<TrackView>& tracks) {
  json list = json::array();
  for (const auto& t : tracks) {
    list.push_back({{"mid", t.mid}, {"participant", t.participant}, {"source", t.source}, {"kind", t.kind}});
  }
  return frame({{"type", "subscribe-offer"}, {"sdp", sdp}, {"tracks", std::move(list)}});
}

std::string activeSpeakerFrame(const std::string& participantId) {
  return frame({{"type", "active-speaker"}, {"id", participantId}});
}

std::string transcriptionFrame(bool active, std::int64_t startedAt) {
  return frame({{"type", "transcription"}, {"active", active}, {"started_at", formatIsoTime(startedAt)}});
}

std::string captionFrame(const std::string& participantId, const std::string& name, const std::string& text,
                         double start, double end, bool final) {
  return frame({{"type", "caption"},
                {"participant", participantId},
                {"name", name},
                {"text", text},
                {"start", start},
                {"end", end},
                {"final", final}});
}

std::string mediaErrorFrame(const std::string& message) { return frame({{"type", "media-error"}, {"message", message}}); }

std::string errorFrame(const ProtocolError& error) {
  return frame({{"type", "error"}, {"code", errorCodeName(error.code)}, {"message", error.message}});
}

}  // namespace parley::signaling
