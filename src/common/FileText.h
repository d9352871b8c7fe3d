#pragma once
// A whole file's bytes, read at once: for the small files Parley keeps beside its data (a
// recording's manifest, events and state, a log's tail). Nothing if it cannot be opened.
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace parley {

inline std::optional<std::string> readFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace parley
