#include "routing/MediaMessages.h"

#include <nlohmann/json.hpp>

namespace parley::routing {

namespace {

using nlohmann::json;

// Raised inside the decoders only, turned into `error`.
struct Invalid {
  std::string why;
};

const json& field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) throw Invalid{std::string("no ") + name};
  return *it;
}

std::string text(const json& object, const char* name, std::size_t max = kMaxId, bool required = true) {
  const auto it = object.find(name);
  if (it == object.end()) {
    if (required) throw Invalid{std::string("no ") + name};
    return {};
  }
  if (!it->is_string()) throw Invalid{std::string(name) + " is not a string"};
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max) throw Invalid{std::string(name) + " is too long"};
  return s;
}

std::int64_t integer(const json& object, const char* name, std::int64_t min, std::int64_t max) {
  const json& v = field(object, name);
  if (!v.is_number_integer()) throw Invalid{std::string(name) + " is not an integer"};
  const auto n = v.get<std::int64_t>();
  if (n < min || n > max) throw Invalid{std::string(name) + " is out of range"};
  return n;
}

const json& list(const json& object, const char* name) {
  const json& v = field(object, name);
  if (!v.is_array()) throw Invalid{std::string(name) + " is not a list"};
  if (v.size() > kMaxListed) throw Invalid{std::string(name) + " is too long"};
  return v;
}

json parseObject(std::string_view textIn) {
  json parsed = json::parse(textIn, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) throw Invalid{"not a JSON object"};
  return parsed;
}

constexpr std::pair<MediaCommand::Type, const char*> kCommandNames[] = {
    {MediaCommand::Type::Join, "join"},     {MediaCommand::Type::Leave, "leave"}, {MediaCommand::Type::Publish, "publish"},
    {MediaCommand::Type::Answer, "answer"}, {MediaCommand::Type::Show, "show"},   {MediaCommand::Type::Shards, "shards"}};

constexpr std::pair<sfu::MediaEvent::Type, const char*> kEventNames[] = {
    {sfu::MediaEvent::Type::PublisherAnswer, "publisher-answer"},
    {sfu::MediaEvent::Type::SubscriberOffer, "subscriber-offer"},
    {sfu::MediaEvent::Type::Error, "error"},
    {sfu::MediaEvent::Type::TransportClosed, "transport-closed"},
    {sfu::MediaEvent::Type::ActiveSpeaker, "active-speaker"},
    {sfu::MediaEvent::Type::PublisherLayers, "publisher-layers"}};

template <typename T, std::size_t N>
const char* nameOf(const std::pair<T, const char*> (&names)[N], T value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "";
}

template <typename T, std::size_t N>
T valueOf(const std::pair<T, const char*> (&names)[N], const std::string& name) {
  for (const auto& [v, n] : names) {
    if (name == n) return v;
  }
  throw Invalid{"unknown type " + name.substr(0, 32)};
}

sfu::TrackSource source(const std::string& name) {
  sfu::TrackSource out;
  if (!sfu::parseSource(name, out)) throw Invalid{"unknown source"};
  return out;
}

template <typename F>
auto decodeWith(std::string_view textIn, std::string& error, F&& decode) -> std::optional<decltype(decode(json{}))> {
  try {
    return decode(parseObject(textIn));
  } catch (const Invalid& invalid) {
    error = invalid.why;
  } catch (const json::exception& e) {
    error = e.what();
  }
  return std::nullopt;
}

}  // namespace

std::string encodeHello(const ChannelHello& hello) { return json{{"node", hello.nodeId}, {"key", hello.key}}.dump(); }

std::optional<ChannelHello> decodeHello(std::string_view textIn) {
  std::string error;
  return decodeWith(textIn, error, [](const json& j) { return ChannelHello{text(j, "node"), text(j, "key")}; });
}

std::string encodeCommand(const MediaCommand& c) {
  json j{{"t", nameOf(kCommandNames, c.type)}, {"room", c.roomId}};
  if (!c.participantId.empty()) j["p"] = c.participantId;
  if (c.type == MediaCommand::Type::Publish || c.type == MediaCommand::Type::Answer) j["sdp"] = c.sdp;
  if (c.type == MediaCommand::Type::Publish) {
    json sources = json::object();
    for (const auto& [mid, s] : c.sources) sources[mid] = sfu::sourceName(s);
    j["sources"] = std::move(sources);
  }
  if (c.type == MediaCommand::Type::Show) {
    json shown = json::array();
    for (const auto& s : c.shown) shown.push_back({{"mid", s.mid}, {"height", s.height}});
    j["shown"] = std::move(shown);
  }
  if (c.type == MediaCommand::Type::Shards) {
    json shards = json::array();
    for (const auto& s : c.shards) {
      shards.push_back({{"node", s.nodeId}, {"worker", s.worker}, {"address", s.address}, {"port", s.port}});
    }
    j["shards"] = std::move(shards);
  }
  return j.dump();
}

std::optional<MediaCommand> decodeCommand(std::string_view textIn, std::string& error) {
  return decodeWith(textIn, error, [](const json& j) {
    MediaCommand c;
    c.type = valueOf(kCommandNames, text(j, "t"));
    c.roomId = text(j, "room");
    if (c.roomId.empty()) throw Invalid{"no room"};
    if (c.type != MediaCommand::Type::Shards) {
      c.participantId = text(j, "p");
      if (c.participantId.empty()) throw Invalid{"no participant"};
    }
    if (c.type == MediaCommand::Type::Publish || c.type == MediaCommand::Type::Answer) c.sdp = text(j, "sdp", kMaxSdp);
    if (c.type == MediaCommand::Type::Publish) {
      const json& sources = field(j, "sources");
      if (!sources.is_object() || sources.size() > kMaxListed) throw Invalid{"sources is not a small object"};
      for (const auto& [mid, s] : sources.items()) {
        if (mid.size() > kMaxId || !s.is_string()) throw Invalid{"bad source"};
        c.sources[mid] = source(s.get<std::string>());
      }
    }
    if (c.type == MediaCommand::Type::Show) {
      for (const json& s : list(j, "shown")) {
        if (!s.is_object()) throw Invalid{"bad shown track"};
        c.shown.push_back({text(s, "mid"), static_cast<int>(integer(s, "height", 0, 100000))});
      }
    }
    if (c.type == MediaCommand::Type::Shards) {
      for (const json& s : list(j, "shards")) {
        if (!s.is_object()) throw Invalid{"bad shard"};
        c.shards.push_back({text(s, "node"), static_cast<unsigned>(integer(s, "worker", 0, 4095)), text(s, "address"),
                            static_cast<std::uint16_t>(integer(s, "port", 1, 65535))});
      }
    }
    return c;
  });
}

std::string encodeReport(const MediaReport& r) {
  if (r.type == MediaReport::Type::Shards) {
    json shards = json::array();
    for (const auto& s : r.shards) shards.push_back({{"worker", s.worker}, {"port", s.port}});
    return json{{"t", "shards"}, {"room", r.roomId}, {"shards", std::move(shards)}}.dump();
  }
  const sfu::MediaEvent& e = r.event;
  json j{{"t", "event"}, {"type", nameOf(kEventNames, e.type)}, {"room", e.roomId}, {"p", e.participantId}};
  if (!e.sdp.empty()) j["sdp"] = e.sdp;
  if (!e.message.empty()) j["message"] = e.message;
  if (!e.mid.empty()) j["mid"] = e.mid;
  json tracks = json::array();
  for (const auto& t : e.tracks) {
    tracks.push_back({{"mid", t.mid},
                      {"p", t.participantId},
                      {"source", sfu::sourceName(t.source)},
                      {"kind", t.kind == sfu::MediaKind::Audio ? "audio" : "video"}});
  }
  if (!tracks.empty()) j["tracks"] = std::move(tracks);
  json layers = json::array();
  for (const auto& l : e.layers) layers.push_back({{"rid", l.rid}, {"active", l.active}});
  if (!layers.empty()) j["layers"] = std::move(layers);
  return j.dump();
}

std::optional<MediaReport> decodeReport(std::string_view textIn, std::string& error) {
  return decodeWith(textIn, error, [](const json& j) {
    MediaReport r;
    const std::string type = text(j, "t");
    if (type == "shards") {
      r.type = MediaReport::Type::Shards;
      r.roomId = text(j, "room");
      for (const json& s : list(j, "shards")) {
        if (!s.is_object()) throw Invalid{"bad shard"};
        r.shards.push_back({static_cast<unsigned>(integer(s, "worker", 0, 4095)),
                            static_cast<std::uint16_t>(integer(s, "port", 1, 65535))});
      }
      return r;
    }
    if (type != "event") throw Invalid{"unknown report " + type.substr(0, 32)};
    sfu::MediaEvent& e = r.event;
    e.type = valueOf(kEventNames, text(j, "type"));
    e.roomId = text(j, "room");
    e.participantId = text(j, "p");
    e.sdp = text(j, "sdp", kMaxSdp, false);
    e.message = text(j, "message", 4096, false);
    e.mid = text(j, "mid", kMaxId, false);
    if (j.contains("tracks")) {
      for (const json& t : list(j, "tracks")) {
        if (!t.is_object()) throw Invalid{"bad track"};
        const std::string kind = text(t, "kind");
        if (kind != "audio" && kind != "video") throw Invalid{"bad kind"};
        e.tracks.push_back({text(t, "mid"), text(t, "p"), source(text(t, "source")),
                            kind == "audio" ? sfu::MediaKind::Audio : sfu::MediaKind::Video});
      }
    }
    if (j.contains("layers")) {
      for (const json& l : list(j, "layers")) {
        if (!l.is_object() || !field(l, "active").is_boolean()) throw Invalid{"bad layer"};
        e.layers.push_back({text(l, "rid"), field(l, "active").get<bool>()});
      }
    }
    return r;
  });
}

}  // namespace parley::routing
