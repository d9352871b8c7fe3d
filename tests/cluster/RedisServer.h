#pragma once
// A real redis-server (Debian's redis-server package) for one test: its own port on
// 127.0.0.1 and its own folder, nothing saved to disk; stop() and start() make an outage.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "cluster/RedisConnection.h"

namespace parley::cluster::testing {

class RedisServer {
 public:
  RedisServer() : port_(freePort()) {
    char pattern[] = "/tmp/parley-redis-XXXXXX";
    dir_ = mkdtemp(pattern);
    start();
  }
  ~RedisServer() {
    stop();
    std::filesystem::remove_all(dir_);
  }

  void start() {
    const std::string port = std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--dir", dir_.c_str(),
             "--save", "", "--appendonly", "no", "--logfile", (dir_ + "/redis.log").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Ready when it answers PING (at most 10 s).
    std::string error;
    const auto url = *parseRedisUrl(url_(), error);
    for (int i = 0; i < 200; ++i) {
      try {
        RedisConnection probe(url, std::chrono::milliseconds(200));
        probe.command({"PING"});
        return;
      } catch (const RedisError&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    throw std::runtime_error("redis-server did not start on port " + port);
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

  std::string url() const { return url_(); }

 private:
  std::string url_() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  static int freePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
  }

  int port_;
  std::string dir_;
  pid_t pid_ = 0;
};

}  // namespace parley::cluster::testing
