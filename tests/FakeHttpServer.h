#pragma once
// An HTTP server on loopback for the tests of our side of a contract with a server that
// cannot run here (a Whisper server, a language model): it answers each connection's
// request with the next (status, body) and records what it received. Status 0: no answer
// at all (the connection stays open until the client gives up), for timeouts.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace parley::testing {

class FakeHttpServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  explicit FakeHttpServer(std::vector<std::pair<int, std::string>> answers) : answers_(std::move(answers)) {
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeHttpServer() {
    acceptor_.close();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    std::vector<boost::asio::ip::tcp::socket> unanswered;  // held open until the end
    for (const auto& [status, body] : answers_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      boost::beast::flat_buffer buffer;
      Request request;
      boost::beast::http::read(socket, buffer, request, ec);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      if (status == 0) {
        unanswered.push_back(std::move(socket));
        continue;
      }
      boost::beast::http::response<boost::beast::http::string_body> response{
          static_cast<boost::beast::http::status>(status), 11};
      response.set(boost::beast::http::field::content_type, "application/json");
      response.body() = body;
      response.prepare_payload();
      boost::beast::http::write(socket, response, ec);
    }
  }

  std::vector<std::pair<int, std::string>> answers_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  unsigned short port_ = 0;
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace parley::testing
