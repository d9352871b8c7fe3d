#pragma once
// For tests of the HTTP server on real sockets: a web root with an empty page, and running
// the server's handlers on the test's thread until something holds.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace parley::http::testing {

// A folder with an index.html, for a Router's StaticFiles; `name` keeps tests apart.
inline std::string emptyWebRoot(const std::string& name) {
  const std::string dir = "/tmp/parley-" + name + "-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/index.html") << "<!doctype html>";
  return dir;
}

// Runs `io`'s handlers on this thread until `done()` holds or `limit` passes.
template <class Done>
bool runUntil(boost::asio::io_context& io, std::chrono::milliseconds limit, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return done();
}

}  // namespace parley::http::testing
