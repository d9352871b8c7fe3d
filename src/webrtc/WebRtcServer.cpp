#include "webrtc/WebRtcServer.h"

#include "common/Bytes.h"
#include "net/PacketClassifier.h"

#include <stdexcept>

namespace parley::webrtc {

namespace {
constexpr std::size_t kMaxLocalAddresses = 256;  // Address::local is a byte
}

WebRtcServer::WebRtcServer(boost::asio::io_context& io, const std::vector<net::Address>& udpBindTo,
                           const std::vector<net::Address>& tcpBindTo)
    : io_(io) {
  if (udpBindTo.empty() || udpBindTo.size() > kMaxLocalAddresses) {
    throw std::invalid_argument("a WebRtcServer needs 1 to 256 local addresses");
  }
  if (!tcpBindTo.empty() && tcpBindTo.size() != udpBindTo.size()) {
    throw std::invalid_argument("ICE-TCP needs one address per UDP address");
  }
  for (std::size_t i = 0; i < udpBindTo.size(); ++i) {
    net::Address at = udpBindTo[i];
    if (i > 0 && at.port == 0) at.port = sockets_.front()->localPort();
    sockets_.push_back(std::make_unique<net::UdpSocket>(io, at, static_cast<std::uint8_t>(i)));
  }
  for (std::size_t i = 0; i < tcpBindTo.size(); ++i) {
    net::Address at = tcpBindTo[i];
    if (i > 0 && at.port == 0) at.port = tcp_.front()->localPort();
    tcp_.push_back(std::make_unique<net::TcpMediaListener>(io, at, static_cast<std::uint8_t>(i)));
  }
}

WebRtcServer::WebRtcServer(boost::asio::io_context& io, const net::Address& bindTo,
                           std::optional<net::Address> tcpBindTo)
    : WebRtcServer(io, std::vector<net::Address>{bindTo},
                   tcpBindTo ? std::vector<net::Address>{*tcpBindTo} : std::vector<net::Address>{}) {}

void WebRtcServer::start() {
  for (auto& socket : sockets_) {
    socket->start([this](std::uint8_t* data, std::size_t length, const net::Address& from) {
      onDatagram(data, length, from);
    });
  }
  for (auto& tcp : tcp_) {
    tcp->start({[this](std::uint8_t* data, std::size_t length, const net::Address& from) { onDatagram(data, length, from); },
                [this](const net::Address& peer) { onTcpDrained(peer); },
                [this](const net::Address& peer) { onTcpClosed(peer); }});
  }
}

void WebRtcServer::close() {
  for (auto& socket : sockets_) socket->close();
  for (auto& tcp : tcp_) tcp->close();
}

std::uint8_t* WebRtcServer::sendBuffer(const net::Address& to) {
  // Only a UDP socket sends without a copy; anything else gets the first one's (the packet is
  // copied when it is sent).
  return sockets_[!to.tcp && to.local < sockets_.size() ? to.local : 0]->sendBuffer();
}

bool WebRtcServer::send(const std::uint8_t* data, std::size_t length, const net::Address& to, bool droppable) {
  if (to.tcp) return to.local < tcp_.size() && tcp_[to.local]->send(to, data, length, droppable);
  if (to.local >= sockets_.size()) return false;
  sockets_[to.local]->commitOrSend(data, length, to);
  return true;
}

void WebRtcServer::connectTcp(const net::Address& remote, std::function<void(bool)> done) {
  if (tcp_.empty() || !remote.tcp || remote.local >= tcp_.size()) return done(false);
  tcp_[remote.local]->connect(remote, std::move(done));
}

std::optional<net::TcpMediaListener::Stats> WebRtcServer::tcpStats() const {
  if (tcp_.empty()) return std::nullopt;
  net::TcpMediaListener::Stats total;
  for (const auto& tcp : tcp_) {
    const auto stats = tcp->stats();
    total.accepted += stats.accepted;
    total.refused += stats.refused;
    total.unboundClosed += stats.unboundClosed;
    total.droppedBacklog += stats.droppedBacklog;
    total.framingErrors += stats.framingErrors;
    total.open += stats.open;
  }
  return total;
}

void WebRtcServer::bind(const net::Address& from, WebRtcTransport* transport) {
  byAddress_[from] = transport;
  if (from.tcp && from.local < tcp_.size()) tcp_[from.local]->markBound(from);
}

void WebRtcServer::onTcpDrained(const net::Address& peer) {
  const auto it = byAddress_.find(peer);
  if (it != byAddress_.end()) it->second->onSendBacklogCleared();
}

void WebRtcServer::onTcpClosed(const net::Address& peer) {
  const auto it = byAddress_.find(peer);
  if (it == byAddress_.end()) return;
  WebRtcTransport* transport = it->second;
  byAddress_.erase(it);
  transport->onPathClosed(peer);
}

std::unique_ptr<WebRtcTransport> WebRtcServer::createTransport(dtls::DtlsTransport::Role dtlsRole,
                                                               WebRtcTransport::IceRole iceRole,
                                                               Transport::Listener& listener,
                                                               std::shared_ptr<dtls::Certificate> certificate) {
  std::unique_ptr<WebRtcTransport> transport;
  // ufrags are random (36 bits); a clash just draws again.
  do {
    while (nextSerial_ == 0 || bySerial_.count(nextSerial_)) ++nextSerial_;
    transport = std::make_unique<WebRtcTransport>(io_, *this, certificate, dtlsRole, iceRole, listener,
                                                  transportCounters_, nextSerial_++);
  } while (byUfrag_.count(transport->localIce().ufrag));
  byUfrag_[transport->localIce().ufrag] = transport.get();
  bySerial_[transport->serial()] = transport.get();
  return transport;
}

void WebRtcServer::removeTransport(WebRtcTransport& transport) {
  byUfrag_.erase(transport.localIce().ufrag);
  bySerial_.erase(transport.serial());
  std::vector<net::Address> connections;
  std::erase_if(byAddress_, [&](const auto& entry) {
    if (entry.second != &transport) return false;
    if (entry.first.tcp) connections.push_back(entry.first);
    return true;
  });
  // Its ICE-TCP connections end with it: nobody holds one open past its transport.
  for (const auto& peer : connections) tcp_[peer.local]->closeConnection(peer);
}

std::unique_ptr<Transport> WebRtcServer::createTransport(Transport::Listener& listener) {
  return createTransport(dtls::DtlsTransport::Role::Server, WebRtcTransport::IceRole::Lite, listener, certificate_);
}

void WebRtcServer::releaseTransport(Transport& transport) { removeTransport(static_cast<WebRtcTransport&>(transport)); }

void WebRtcServer::tick(std::chrono::steady_clock::time_point now) {
  for (auto& tcp : tcp_) tcp->tick(now);
  // Closing calls listeners, which may release transports: walk a copy.
  std::vector<WebRtcTransport*> transports;
  transports.reserve(bySerial_.size());
  for (auto& [serial, transport] : bySerial_) transports.push_back(transport);
  for (WebRtcTransport* transport : transports) {
    if (bySerial_.count(transport->serial())) transport->tickConsent(now);
  }
}

void WebRtcServer::onStun(const std::uint8_t* data, std::size_t length, const net::Address& from) {
  const auto message = ice::parseStun({data, length});
  if (!message) {
    demux_.malformedStun++;
    return;
  }
  if (message->type == ice::kBindingRequest) {
    const auto colon = message->username.find(':');
    const auto it = colon == std::string_view::npos ? byUfrag_.end()
                                                   : byUfrag_.find(std::string(message->username.substr(0, colon)));
    if (it == byUfrag_.end()) {
      demux_.unknownUfrag++;
      return;
    }
    WebRtcTransport* transport = it->second;
    const StunCheckResult result = transport->onStunRequest(*message, from);
    // Only an authentic check binds its source to the transport; the paths a transport
    // forgets are unbound, so spoofed sources cannot grow the table.
    if (result.forgotten) {
      const auto bound = byAddress_.find(*result.forgotten);
      if (bound != byAddress_.end() && bound->second == transport) byAddress_.erase(bound);
    }
    if (result.accepted) bind(from, transport);
  } else if (message->type == ice::kBindingSuccess || message->type == ice::kBindingError) {
    // Our checks' transaction ids open with the transport's serial.
    const auto it = bySerial_.find(read32(message->transaction.data()));
    if (it == bySerial_.end()) {
      demux_.unmatchedResponses++;
      return;
    }
    if (it->second->onStunResponse(*message, from)) bind(from, it->second);
  }
}

void WebRtcServer::onDatagram(std::uint8_t* data, std::size_t length, const net::Address& from) {
  const auto kind = net::classify(data, length);
  switch (kind) {
    case net::PacketKind::Stun:
      onStun(data, length, from);
      return;
    case net::PacketKind::Dtls:
    case net::PacketKind::Rtp:
    case net::PacketKind::Rtcp: {
      const auto it = byAddress_.find(from);
      if (it == byAddress_.end()) {
        demux_.unknownSource++;
        return;
      }
      if (kind == net::PacketKind::Dtls) it->second->onDtls(data, length, from);
      else it->second->onSrtp(data, length, from, kind == net::PacketKind::Rtcp);
      return;
    }
    case net::PacketKind::Unknown:
      demux_.unclassified++;
      return;
  }
}

}  // namespace parley::webrtc
