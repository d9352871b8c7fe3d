#include "cluster/NodeRecord.h"

#include <nlohmann/json.hpp>

namespace parley::cluster {

std::string encodeNodeRecord(const NodeRecord& node) {
  return nlohmann::json{{"id", node.id},
                        {"address", node.address},
                        {"started_at", node.startedAt},
                        {"participants", node.load.participants},
                        {"streams", node.load.streams},
                        {"cpu", node.load.cpu}}
      .dump();
}

std::optional<NodeRecord> decodeNodeRecord(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  try {
    NodeRecord node;
    node.id = json.at("id").get<std::string>();
    node.address = json.at("address").get<std::string>();
    node.startedAt = json.at("started_at").get<std::int64_t>();
    node.load.participants = json.at("participants").get<std::uint32_t>();
    node.load.streams = json.at("streams").get<std::uint32_t>();
    node.load.cpu = json.at("cpu").get<double>();
    if (node.id.empty()) return std::nullopt;
    return node;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace parley::cluster
