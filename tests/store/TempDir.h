#pragma once
// A folder of one test's own under /tmp, removed with everything in it afterwards.
#include <cstdlib>
#include <filesystem>
#include <string>

namespace parley::store::testing {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/parley-store-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace parley::store::testing
