#include "webrtc/WebRtcServer.h"

#include "net/PacketClassifier.h"

namespace parley::webrtc {

WebRtcServer::WebRtcServer(boost::asio::io_context& io, const net::Address& bindTo) : io_(io), socket_(io, bindTo) {}

void WebRtcServer::start() {
  socket_.start([this](std::uint8_t* data, std::size_t length, const net::Address& from) {
    onDatagram(data, length, from);
  });
}

std::unique_ptr<WebRtcTransport> WebRtcServer::createTransport(dtls::DtlsTransport::Role dtlsRole,
                                                               WebRtcTransport::IceRole iceRole,
                                                               WebRtcTransport::Listener& listener,
                                                               std::shared_ptr<dtls::Certificate> certificate) {
  std::unique_ptr<WebRtcTransport> transport;
  // ufrags are random (36 bits); a clash just draws again.
  do {
    transport = std::make_unique<WebRtcTransport>(io_, socket_, certificate, dtlsRole, iceRole, listener,
                                                  transportCounters_);
  } while (byUfrag_.count(transport->localIce().ufrag));
  byUfrag_[transport->localIce().ufrag] = transport.get();
  transport->onRouteChange = [this](WebRtcTransport& t, const std::optional<net::Address>&, const net::Address& now) {
    byAddress_[now] = &t;
  };
  return transport;
}

void WebRtcServer::removeTransport(WebRtcTransport& transport) {
  byUfrag_.erase(transport.localIce().ufrag);
  std::erase_if(byAddress_, [&](const auto& entry) { return entry.second == &transport; });
}

void WebRtcServer::onDatagram(std::uint8_t* data, std::size_t length, const net::Address& from) {
  switch (net::classify(data, length)) {
    case net::PacketKind::Stun: {
      const auto message = ice::parseStun({data, length});
      if (!message) {
        demux_.malformedStun++;
        return;
      }
      if (message->type == ice::kBindingRequest) {
        const auto colon = message->username.find(':');
        const auto it = colon == std::string_view::npos
                            ? byUfrag_.end()
                            : byUfrag_.find(std::string(message->username.substr(0, colon)));
        if (it == byUfrag_.end()) {
          demux_.unknownUfrag++;
          return;
        }
        WebRtcTransport* transport = it->second;
        const std::uint64_t rejectedBefore = transportCounters_.stunRejected;
        transport->onStunRequest(*message, from);
        // Only a check that passed MESSAGE-INTEGRITY binds its source to the transport.
        if (transportCounters_.stunRejected == rejectedBefore) byAddress_[from] = transport;
      } else if (message->type == ice::kBindingSuccess || message->type == ice::kBindingError) {
        // Responses reach the controlling side (the load generator): match the transaction.
        for (auto& [ufrag, transport] : byUfrag_) {
          if (transport->expectsResponse(message->transaction)) {
            transport->onStunResponse(*message, from);
            byAddress_[from] = transport;
            break;
          }
        }
      }
      return;
    }
    case net::PacketKind::Dtls: {
      const auto it = byAddress_.find(from);
      if (it == byAddress_.end()) {
        demux_.unknownSource++;
        return;
      }
      it->second->onDtls(data, length, from);
      return;
    }
    case net::PacketKind::Rtp:
    case net::PacketKind::Rtcp: {
      const auto it = byAddress_.find(from);
      if (it == byAddress_.end()) {
        demux_.unknownSource++;
        return;
      }
      it->second->onSrtp(data, length, from, net::classify(data, length) == net::PacketKind::Rtcp);
      return;
    }
    case net::PacketKind::Unknown:
      demux_.unclassified++;
      return;
  }
}

}  // namespace parley::webrtc
