#include "LimitForwarder.h"

#include "common/Bytes.h"

namespace parley::bench {

LimitWorker::LimitWorker(const net::Address& bindTo) : socket_(io_, bindTo) {
  socket_.start([this](std::uint8_t* data, std::size_t length, const net::Address& from) {
    onPacket(data, length, from);
  });
}

void LimitWorker::add(LimitEndpoint& endpoint) {
  byAddress_[endpoint.address] = &endpoint;
  rooms_[endpoint.room].push_back(&endpoint);
}

int LimitWorker::layerOf(const LimitEndpoint& sender, std::uint32_t ssrc) {
  if (sender.layerSsrcs.size() < 2) return -1;
  for (std::size_t l = 0; l < sender.layerSsrcs.size(); ++l)
    if (sender.layerSsrcs[l] == ssrc) return static_cast<int>(l);
  return -1;
}

void LimitWorker::onPacket(std::uint8_t* data, std::size_t length, const net::Address& from) {
  const auto found = byAddress_.find(from);
  if (found == byAddress_.end() || length < 12) return;
  LimitEndpoint& sender = *found->second;
  if (sender.inbound->unprotectRtp(data, length) != srtp::SrtpError::Ok) {
    failures_.store(++failed_, std::memory_order_relaxed);
    return;
  }
  const int layer = layerOf(sender, read32(data + 8));
  std::uint64_t sent = 0;
  for (LimitEndpoint* receiver : rooms_[sender.room]) {
    if (receiver == &sender || !receiver->receives) continue;
    if (layer >= 0 && receiver->wantedLayer != layer) continue;
    std::uint8_t* out = socket_.sendBuffer();
    std::memcpy(out, data, length);
    std::size_t size = length;
    if (receiver->outbound->protectRtp(out, size, net::kMaxDatagram) != srtp::SrtpError::Ok) continue;
    socket_.commit(size, receiver->address);
    ++sent;
  }
  sent_ += sent;
  forwarded_.store(sent_, std::memory_order_relaxed);  // a plain store: no locked instruction per packet
}

}  // namespace parley::bench
