#include "routing/MediaAgent.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>

#include "common/Prometheus.h"
#include "common/Text.h"

namespace parley::routing {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr auto kHelloTimeout = std::chrono::seconds(5);
}

MediaAgent::MediaAgent(asio::io_context& io, const std::string& address, sfu::MediaService& media,
                       std::function<std::string()> key)
    : io_(io), media_(media), key_(std::move(key)), acceptor_(io, tcp::endpoint(asio::ip::make_address(address), 0)) {
  port_ = acceptor_.local_endpoint().port();
  accept();
}

MediaAgent::~MediaAgent() {
  *alive_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  // Closing calls onClosed, which looks the channel up: it finds none, and leaves no media
  // (the MediaService stops with the process).
  auto channels = std::move(channels_);
  channels_.clear();
  for (auto& [id, c] : channels) c.channel->close("stopping");
}

void MediaAgent::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    const auto unauthenticated = static_cast<std::size_t>(
        std::count_if(channels_.begin(), channels_.end(), [](const auto& c) { return c.second.homeId.empty(); }));
    if (!ec && (channels_.size() >= kMaxChannels || unauthenticated >= kMaxUnauthenticated)) {
      ++refused_;
      boost::system::error_code ignored;
      socket.close(ignored);
    } else if (!ec) {
      const std::uint64_t id = nextId_++;
      auto channel = std::make_shared<NodeChannel>(std::move(socket));
      channels_[id] = {channel, {}, {}};
      // A channel that has not said the key in time is closed.
      auto timer = std::make_shared<asio::steady_timer>(io_, kHelloTimeout);
      timer->async_wait([this, alive = alive_, id, timer](const boost::system::error_code& e) {
        if (e || !*alive) return;
        const auto it = channels_.find(id);
        if (it != channels_.end() && it->second.homeId.empty()) it->second.channel->close("no hello in time");
      });
      channel->start([this, id](std::string message) { onMessage(id, message); },
                     [this, id](const std::string& why) { onClosed(id, why); });
    }
    accept();
  });
}

void MediaAgent::onMessage(std::uint64_t id, const std::string& message) {
  const auto it = channels_.find(id);
  if (it == channels_.end()) return;
  Channel& channel = it->second;
  if (channel.homeId.empty()) {
    const auto hello = decodeHello(message);
    const std::string expected = key_();
    if (!hello || hello->nodeId.empty() || expected.empty() || !constantTimeEquals(hello->key, expected)) {
      ++refused_;
      channel.channel->close("not a node of the cluster");
      return;
    }
    channel.homeId = hello->nodeId;
    spdlog::info("cascade: node {} drives media here", channel.homeId);
    return;
  }
  std::string error;
  const auto command = decodeCommand(message, error);
  if (!command) {
    ++malformed_;
    spdlog::warn("cascade: a malformed command from node {}: {}", channel.homeId, error);
    return;
  }
  ++commands_;
  onCommand(id, channel, *command);
}

void MediaAgent::onCommand(std::uint64_t id, Channel& channel, const MediaCommand& c) {
  const auto key = std::pair{c.roomId, c.participantId};
  const auto servedBy = rooms_.find(c.roomId);
  // A room is driven by one home at a time: another channel's commands for it are ignored.
  if (servedBy != rooms_.end() && servedBy->second != id) return;
  switch (c.type) {
    case MediaCommand::Type::Join:
      if (channel.participants.size() >= kMaxParticipantsPerChannel || channel.participants.count(key)) return;
      if (servedBy == rooms_.end()) {
        rooms_[c.roomId] = id;
        media_.setRemoteShards(c.roomId, {}, false, key_());  // the home leads the room's media
      }
      channel.participants.insert(key);
      media_.join(c.roomId, c.participantId);
      return;
    case MediaCommand::Type::Shards:
      if (servedBy != rooms_.end()) media_.setRemoteShards(c.roomId, c.shards, false, key_());
      return;
    default:
      break;
  }
  if (!channel.participants.count(key)) return;  // not one this home placed here
  switch (c.type) {
    case MediaCommand::Type::Leave: {
      channel.participants.erase(key);
      media_.leave(c.roomId, c.participantId);  // reports the room's shards, while it is served
      // Ordered by room first: the room's next participant, if any, is where it would go.
      const auto next = channel.participants.lower_bound({c.roomId, std::string()});
      const bool more = next != channel.participants.end() && next->first == c.roomId;
      if (!more) rooms_.erase(c.roomId);
      return;
    }
    case MediaCommand::Type::Publish:
      media_.publish(c.roomId, c.participantId, c.sdp, c.sources);
      return;
    case MediaCommand::Type::Answer:
      media_.subscriberAnswer(c.roomId, c.participantId, c.sdp);
      return;
    case MediaCommand::Type::Show:
      media_.showTracks(c.roomId, c.participantId, c.shown);
      return;
    default:
      return;
  }
}

void MediaAgent::onClosed(std::uint64_t id, const std::string& why) {
  const auto it = channels_.find(id);
  if (it == channels_.end()) return;
  auto participants = std::move(it->second.participants);
  if (!it->second.homeId.empty()) {
    spdlog::info("cascade: node {} no longer drives media here ({}): {} participants' media ends", it->second.homeId,
                 why, participants.size());
  }
  channels_.erase(it);
  for (auto r = rooms_.begin(); r != rooms_.end();) {
    r = r->second == id ? rooms_.erase(r) : std::next(r);
  }
  for (const auto& [roomId, participantId] : participants) media_.leave(roomId, participantId);
}

void MediaAgent::report(const std::string& roomId, const MediaReport& r) {
  const auto served = rooms_.find(roomId);
  if (served == rooms_.end()) return;
  const auto it = channels_.find(served->second);
  if (it != channels_.end()) it->second.channel->send(encodeReport(r));
}

void MediaAgent::onMediaEvent(const sfu::MediaEvent& event) {
  MediaReport r;
  r.event = event;
  report(event.roomId, r);
}

void MediaAgent::onShardsChanged(const std::string& roomId) {
  MediaReport r;
  r.type = MediaReport::Type::Shards;
  r.roomId = roomId;
  for (const auto& [worker, port] : media_.localShards(roomId)) r.shards.push_back({worker, port});
  report(roomId, r);
}

std::string MediaAgent::renderMetrics() const {
  PrometheusText out;
  out.gauge("parley_cascade_served_rooms", "Rooms homed on other nodes with media on this one.", rooms_.size());
  std::size_t participants = 0;
  for (const auto& [id, c] : channels_) participants += c.participants.size();
  out.gauge("parley_cascade_served_participants", "Participants of rooms homed elsewhere whose media is here.",
            participants);
  out.counter("parley_cascade_commands_total", "Media commands from other nodes' rooms.", commands_);
  out.counter("parley_cascade_channels_refused_total",
              "Media channels closed: a wrong cluster key, or too many open (or unauthenticated) at once.", refused_);
  out.counter("parley_cascade_commands_malformed_total", "Media commands from other nodes that did not parse.",
              malformed_);
  return out.str();
}

}  // namespace parley::routing
