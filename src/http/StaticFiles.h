#pragma once
// The built web client (web/dist), read into memory at start: requests can only ever reach
// files that were there, whatever bytes their paths hold.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace parley::http {

struct StaticFile {
  std::string body;
  std::string contentType;
  bool immutable = false;  // content-hashed name under assets/: cache for a year
};

class StaticFiles {
 public:
  // Loads every regular file below `root` (no symlinks followed out of it). A missing root
  // leaves the set empty; the server then says the client was not built.
  explicit StaticFiles(const std::string& root);

  const StaticFile* find(std::string_view path) const;  // path like "/assets/app-1234.js"
  const StaticFile* index() const { return find("/index.html"); }
  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, StaticFile, std::less<>> files_;
};

std::string contentTypeFor(std::string_view path);

}  // namespace parley::http
