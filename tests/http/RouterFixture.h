#pragma once
// The Router under test with a real SQLite store (in memory) and rooms, requests made as
// a browser or a program would make them.
#include "http/Router.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "signaling/MeetingSummaries.h"
#include "signaling/SignalingPeer.h"
#include "store/SqliteRoomStore.h"

namespace parley::http {

using nlohmann::json;
namespace bhttp = boost::beast::http;

class NullPeer : public signaling::SignalingPeer {
 public:
  void send(std::string) override {}
  void close() override {}
};

class HttpRouterTest : public ::testing::Test {
 protected:
  HttpRouterTest() : web_(webRoot()) {}
  static std::string webRoot() {
    static const std::string dir = [] {
      const std::string d = "/tmp/parley-router-test-" + std::to_string(::getpid());
      std::filesystem::create_directories(d + "/assets");
      std::ofstream(d + "/index.html") << "<!doctype html><div id=\"app\"></div>";
      std::ofstream(d + "/assets/app-1234.js") << "console.log(1)";
      return d;
    }();
    return dir;
  }
  Response call(bhttp::verb verb, const std::string& target, const std::string& body = {},
                std::map<std::string, std::string> headers = {}, ClientInfo client = local()) {
    Request request{verb, target, 11};
    request.set(bhttp::field::host, "127.0.0.1:8080");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    return router.handle(request, client);
  }
  static ClientInfo local() { return {boost::asio::ip::make_address("127.0.0.1"), false}; }
  static json body(const Response& r) { return json::parse(r.body()); }

  store::SqliteRoomStore store{":memory:"};
  signaling::RoomRegistry rooms{store};
  std::mutex controlMutex_;
  signaling::MeetingSummaries* summaries_ = nullptr;
  StaticFiles web_;
  Router router{rooms, web_};
};


}  // namespace parley::http
