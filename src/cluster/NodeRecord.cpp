#include "cluster/NodeRecord.h"

#include <nlohmann/json.hpp>

namespace parley::cluster {

std::string encodeNodeRecord(const NodeRecord& node) {
  return nlohmann::json{{"id", node.id},
                        {"address", node.address},
                        {"http_port", node.httpPort},
                        {"media_port", node.mediaPort},
                        {"started_at", node.startedAt},
                        {"participants", node.load.participants},
                        {"streams", node.load.streams},
                        {"cpu", node.load.cpu}}
      .dump();
}

namespace {
// A whole number from 0 to `max` at `key`, checked before any conversion (a float or an
// out-of-range number converted by nlohmann's get<> is undefined behaviour).
std::optional<std::uint64_t> wholeNumber(const nlohmann::json& object, const char* key, std::uint64_t max) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) return std::nullopt;
  const auto value = it->get<std::uint64_t>();
  if (value > max) return std::nullopt;
  return value;
}

std::optional<std::string> text(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}
}  // namespace

std::optional<NodeRecord> decodeNodeRecord(const std::string& input) {
  const auto json = nlohmann::json::parse(input, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  const auto id = text(json, "id");
  const auto address = text(json, "address");
  const auto startedAt = wholeNumber(json, "started_at", std::uint64_t{1} << 62);
  const auto participants = wholeNumber(json, "participants", UINT32_MAX);
  const auto streams = wholeNumber(json, "streams", UINT32_MAX);
  const auto cpu = json.find("cpu");
  if (!id || id->empty() || !address || !startedAt || !participants || !streams || cpu == json.end() ||
      !cpu->is_number() || !(cpu->get<double>() >= 0)) {
    return std::nullopt;
  }
  NodeRecord node;
  node.id = *id;
  node.address = *address;
  node.startedAt = static_cast<std::int64_t>(*startedAt);
  node.load.participants = static_cast<std::uint32_t>(*participants);
  node.load.streams = static_cast<std::uint32_t>(*streams);
  node.load.cpu = cpu->get<double>();
  // Absent from a record written before relaying, or before the node listens.
  if (const auto port = wholeNumber(json, "http_port", 65535)) node.httpPort = static_cast<std::uint16_t>(*port);
  // Absent from a record written before the cascade: no media is placed there.
  if (const auto port = wholeNumber(json, "media_port", 65535)) node.mediaPort = static_cast<std::uint16_t>(*port);
  return node;
}

}  // namespace parley::cluster
