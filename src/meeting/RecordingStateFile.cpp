#include "meeting/RecordingStateFile.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/FileText.h"

namespace parley::meeting {

using nlohmann::json;

RecordingState recordingState(std::string state, std::int64_t startedAt, std::int64_t stoppedAt, std::string error) {
  RecordingState made;
  made.state = std::move(state);
  made.startedAt = startedAt;
  made.stoppedAt = stoppedAt;
  made.error = std::move(error);
  return made;
}

std::optional<RecordingState> readRecordingState(const std::string& directory) {
  const auto text = readFileText(directory + "/state.json");
  if (!text) return std::nullopt;
  const json document = json::parse(*text, nullptr, false);
  if (!document.is_object()) return std::nullopt;
  auto string = [&](const char* key) {
    const auto it = document.find(key);
    return it != document.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto integer = [&](const char* key) {
    const auto it = document.find(key);
    return it != document.end() && it->is_number_integer() ? it->get<std::int64_t>() : std::int64_t{0};
  };
  RecordingState state;
  state.state = string("state");
  if (state.state.empty()) return std::nullopt;
  state.startedAt = integer("startedAt");
  state.stoppedAt = integer("stoppedAt");
  state.error = string("error");
  state.render = string("render");
  if (const auto it = document.find("renderProgress"); it != document.end() && it->is_number()) {
    state.renderProgress = std::clamp(it->get<double>(), 0.0, 1.0);
  }
  state.composite = string("composite");
  state.renderError = string("renderError");
  return state;
}

bool writeRecordingState(const std::string& directory, const RecordingState& state) {
  json document = {{"state", state.state}, {"startedAt", state.startedAt}};
  if (state.stoppedAt) document["stoppedAt"] = state.stoppedAt;
  if (!state.error.empty()) document["error"] = state.error;
  if (!state.render.empty()) {
    document["render"] = state.render;
    document["renderProgress"] = state.renderProgress;
  }
  if (!state.composite.empty()) document["composite"] = state.composite;
  if (!state.renderError.empty()) document["renderError"] = state.renderError;
  const std::string path = directory + "/state.json";
  {
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << document.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
    if (!out) return false;
  }
  std::error_code error;
  std::filesystem::rename(path + ".tmp", path, error);
  return !error;
}

}  // namespace parley::meeting
