#pragma once
// How a synthetic participant talks to an SFU: Parley's signaling, or Janus's videoroom
// plugin over its WebSocket API, so the same publishers and subscribers load either.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "JsonWebSocket.h"

namespace parley::bench {

class SessionSignaling {
 public:
  struct Events {
    std::function<void()> joined;                        // in the room: a publisher may publish
    std::function<void(const std::string& sdp)> answer;  // to our publish offer
    std::function<void(const std::string& sdp)> offer;   // media for us to receive
    std::function<void(const std::string& what)> failed;
  };
  virtual ~SessionSignaling() = default;
  virtual void join(Events events) = 0;
  virtual void publish(const std::string& offerSdp) = 0;
  virtual void answer(const std::string& answerSdp) = 0;
  virtual void leave() = 0;
};

// Parley: `join`, then `publish` / `publish-answer`, `subscribe-offer` / `subscribe-answer`.
class ParleySignaling final : public SessionSignaling {
 public:
  ParleySignaling(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server, std::string roomId, std::string name);
  void join(Events events) override;
  void publish(const std::string& offerSdp) override;
  void answer(const std::string& answerSdp) override;
  void leave() override;

 private:
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::endpoint server_;
  std::string roomId_, name_;
  Events events_;
  std::shared_ptr<JsonWebSocket> ws_;
};

// Janus 1.x videoroom: a session and a handle per participant; a publisher joins as
// `publisher` and publishes with a JSEP offer; a subscriber joins as `subscriber` to the
// room's feeds, gets Janus's offer and answers with `start`.
class JanusSignaling final : public SessionSignaling {
 public:
  enum class Role { Publisher, Subscriber };
  JanusSignaling(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server, std::uint64_t room, std::string name,
                 Role role, std::vector<std::uint64_t> feeds = {});
  void join(Events events) override;
  void publish(const std::string& offerSdp) override;
  void answer(const std::string& answerSdp) override;
  void leave() override;
  std::uint64_t feedId() const { return feedId_; }  // a publisher's, once joined
  // Janus has its side of the PeerConnection up ("webrtcup"). Its videoroom refuses to
  // subscribe anyone to a publisher before that ("No such feed"), even when our DTLS is
  // already done, so subscribers wait for it.
  bool mediaUp() const { return mediaUp_; }

 private:
  void send(nlohmann::json message);
  void onMessage(const nlohmann::json& message);
  void keepAlive();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::endpoint server_;
  std::uint64_t room_;
  std::string name_;
  Role role_;
  std::vector<std::uint64_t> feeds_;
  Events events_;
  std::shared_ptr<JsonWebSocket> ws_;
  std::uint64_t session_ = 0, handle_ = 0, feedId_ = 0, transactions_ = 0;
  bool mediaUp_ = false;
  std::unique_ptr<boost::asio::steady_timer> keepAlive_;
};

// Creates a videoroom for `publishers` publishers without a bitrate cap, with a blocking
// WebSocket of its own; returns its id.
std::uint64_t createJanusRoom(const boost::asio::ip::tcp::endpoint& server, int publishers);

}  // namespace parley::bench
