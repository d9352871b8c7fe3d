#include "SessionSignaling.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

namespace parley::bench {

using nlohmann::json;

ParleySignaling::ParleySignaling(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server, std::string roomId,
                                 std::string name)
    : io_(io), server_(server), roomId_(std::move(roomId)), name_(std::move(name)) {}

void ParleySignaling::join(Events events) {
  events_ = std::move(events);
  ws_ = std::make_shared<JsonWebSocket>(
      io_,
      [this](const json& m) {
        const std::string type = m.value("type", "");
        if (type == "welcome") events_.joined();
        else if (type == "publish-answer") events_.answer(m.value("sdp", ""));
        else if (type == "subscribe-offer") events_.offer(m.value("sdp", ""));
        else if (type == "media-error" || type == "error") events_.failed(type + ": " + m.value("message", m.dump()));
      },
      [this](const std::string& why) { events_.failed("signaling: " + why); });
  ws_->send({{"type", "join"}, {"version", 1}, {"name", name_}});
  ws_->connect(server_, "/ws/" + roomId_);
}

void ParleySignaling::publish(const std::string& offerSdp) {
  ws_->send({{"type", "publish"}, {"sdp", offerSdp}, {"sources", {{"0", "microphone"}, {"1", "camera"}}}});
}

void ParleySignaling::answer(const std::string& answerSdp) { ws_->send({{"type", "subscribe-answer"}, {"sdp", answerSdp}}); }

void ParleySignaling::leave() {
  if (!ws_) return;
  events_.failed = [](const std::string&) {};  // closing is not a failure
  ws_->send({{"type", "leave"}});
  ws_->close();
}

JanusSignaling::JanusSignaling(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server, std::uint64_t room,
                               std::string name, Role role, std::vector<std::uint64_t> feeds)
    : io_(io), server_(server), room_(room), name_(std::move(name)), role_(role), feeds_(std::move(feeds)) {}

void JanusSignaling::send(json message) {
  message["transaction"] = std::to_string(++transactions_);
  if (session_) message["session_id"] = session_;
  if (handle_ && message.value("janus", "") == "message") message["handle_id"] = handle_;
  ws_->send(message);
}

void JanusSignaling::join(Events events) {
  events_ = std::move(events);
  ws_ = std::make_shared<JsonWebSocket>(
      io_, [this](const json& m) { onMessage(m); }, [this](const std::string& why) { events_.failed("janus: " + why); });
  ws_->connect(server_, "/", "janus-protocol");
  send({{"janus", "create"}});
}

void JanusSignaling::onMessage(const json& m) {
  const std::string kind = m.value("janus", "");
  if (kind == "error" || (kind == "event" && m.contains("plugindata") && m["plugindata"]["data"].contains("error"))) {
    events_.failed("janus: " + m.dump());
    return;
  }
  if (kind == "webrtcup") {
    mediaUp_ = true;
  } else if (kind == "success" && !session_) {
    session_ = m["data"]["id"].get<std::uint64_t>();
    keepAlive();
    send({{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}});
  } else if (kind == "success" && !handle_ && m.contains("data")) {
    handle_ = m["data"]["id"].get<std::uint64_t>();
    json body = {{"request", "join"}, {"room", room_}, {"display", name_}};
    if (role_ == Role::Publisher) {
      body["ptype"] = "publisher";
    } else {
      body["ptype"] = "subscriber";
      json streams = json::array();
      for (auto feed : feeds_) streams.push_back({{"feed", feed}});
      body["streams"] = streams;
    }
    send({{"janus", "message"}, {"body", body}});
  } else if (kind == "event") {
    const auto& data = m["plugindata"]["data"];
    if (role_ == Role::Publisher && data.value("videoroom", "") == "joined") {
      feedId_ = data["id"].get<std::uint64_t>();
      events_.joined();
    }
    if (m.contains("jsep")) {
      const std::string type = m["jsep"].value("type", "");
      const std::string sdp = m["jsep"].value("sdp", "");
      if (type == "answer") events_.answer(sdp);
      else if (type == "offer") events_.offer(sdp);
    }
  }
}

void JanusSignaling::keepAlive() {
  // Janus ends sessions that say nothing for 60 s.
  if (!keepAlive_) keepAlive_ = std::make_unique<boost::asio::steady_timer>(io_);
  keepAlive_->expires_after(std::chrono::seconds(20));
  keepAlive_->async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    send({{"janus", "keepalive"}});
    keepAlive();
  });
}

void JanusSignaling::publish(const std::string& offerSdp) {
  send({{"janus", "message"},
        {"body", {{"request", "publish"}, {"audio", true}, {"video", true}}},
        {"jsep", {{"type", "offer"}, {"sdp", offerSdp}}}});
}

void JanusSignaling::answer(const std::string& answerSdp) {
  send({{"janus", "message"}, {"body", {{"request", "start"}}}, {"jsep", {{"type", "answer"}, {"sdp", answerSdp}}}});
}

void JanusSignaling::leave() {
  if (keepAlive_) keepAlive_->cancel();
  if (!ws_) return;
  events_.failed = [](const std::string&) {};
  send({{"janus", "destroy"}});
  ws_->close();
}

std::uint64_t createJanusRoom(const boost::asio::ip::tcp::endpoint& server, int publishers) {
  namespace websocket = boost::beast::websocket;
  boost::asio::io_context io;
  websocket::stream<boost::asio::ip::tcp::socket> ws(io);
  ws.next_layer().connect(server);
  ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
    request.set(boost::beast::http::field::sec_websocket_protocol, "janus-protocol");
  }));
  ws.handshake(server.address().to_string() + ":" + std::to_string(server.port()), "/");
  int transaction = 0;
  // Janus answers "ack" to some requests before the answer that counts.
  const auto call = [&](json request) {
    request["transaction"] = std::to_string(++transaction);
    ws.write(boost::asio::buffer(request.dump()));
    for (;;) {
      boost::beast::flat_buffer buffer;
      ws.read(buffer);
      auto reply = json::parse(boost::beast::buffers_to_string(buffer.data()));
      if (reply.value("transaction", "") != request["transaction"] || reply.value("janus", "") == "ack") continue;
      if (reply.value("janus", "") == "error") throw std::runtime_error("janus: " + reply.dump());
      return reply;
    }
  };
  const auto session = call({{"janus", "create"}})["data"]["id"].get<std::uint64_t>();
  const auto handle = call({{"janus", "attach"}, {"session_id", session}, {"plugin", "janus.plugin.videoroom"}})["data"]["id"]
                          .get<std::uint64_t>();
  const auto created = call({{"janus", "message"},
                             {"session_id", session},
                             {"handle_id", handle},
                             {"body", {{"request", "create"}, {"publishers", publishers + 1}, {"bitrate", 4000000},
                                       {"audiocodec", "opus"}, {"videocodec", "vp8"}}}});
  const auto& data = created["plugindata"]["data"];
  if (!data.contains("room")) throw std::runtime_error("janus did not create a room: " + created.dump());
  call({{"janus", "destroy"}, {"session_id", session}});
  return data["room"].get<std::uint64_t>();
}

}  // namespace parley::bench
