#include "cascade/CascadeControl.h"

#include <cstring>

#include "common/Bytes.h"

namespace parley::cascade {

namespace {

constexpr std::uint8_t kName[4] = {'P', 'R', 'L', 'Y'};
constexpr std::uint8_t kAnnounce = 0, kWithdraw = 1;
constexpr std::size_t kHeader = 12;  // RTCP header, SSRC, name

// Appends to a bounded buffer; remembers whether everything fit.
struct Writer {
  std::uint8_t* out;
  std::size_t capacity;
  std::size_t at = 0;
  bool ok = true;
  void bytes(const void* data, std::size_t n) {
    if (!ok || at + n > capacity) {
      ok = false;
      return;
    }
    std::memcpy(out + at, data, n);
    at += n;
  }
  void u8(std::uint8_t v) { bytes(&v, 1); }
  void u32(std::uint32_t v) {
    std::uint8_t b[4];
    write32(b, v);
    bytes(b, 4);
  }
  void name(const std::string& s) {
    if (s.size() > kMaxControlName) {
      ok = false;
      return;
    }
    u8(static_cast<std::uint8_t>(s.size()));
    bytes(s.data(), s.size());
  }
};

struct Reader {
  std::span<const std::uint8_t> in;
  std::size_t at = 0;
  bool ok = true;
  bool need(std::size_t n) {
    if (!ok || at + n > in.size()) ok = false;
    return ok;
  }
  std::uint8_t u8() {
    if (!need(1)) return 0;
    return in[at++];
  }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    const std::uint32_t v = read32(in.data() + at);
    at += 4;
    return v;
  }
  std::string name() {
    const std::size_t n = u8();
    if (!need(n)) return {};
    std::string s(reinterpret_cast<const char*>(in.data() + at), n);
    at += n;
    return s;
  }
};

std::size_t finish(Writer& w, std::uint8_t subtype) {
  while (w.ok && w.at % 4) w.u8(0);
  if (!w.ok) return 0;
  w.out[0] = static_cast<std::uint8_t>(0x80 | subtype);
  w.out[1] = kRtcpApp;
  write16(w.out + 2, static_cast<std::uint16_t>(w.at / 4 - 1));
  return w.at;
}

Writer start(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc) {
  Writer w{out, capacity};
  const std::uint8_t header[4] = {0, 0, 0, 0};  // filled by finish()
  w.bytes(header, 4);
  w.u32(senderSsrc);
  w.bytes(kName, 4);
  return w;
}

}  // namespace

std::size_t writeAnnouncement(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc,
                              const std::string& roomId, const sfu::RemoteProducerInfo& info) {
  Writer w = start(out, capacity, senderSsrc);
  w.u32(info.pipeId);
  w.u8(static_cast<std::uint8_t>(info.kind));
  w.u8(static_cast<std::uint8_t>(info.source));
  w.u8(info.layers);
  w.u8(info.audioLevelExtension);
  w.u8(info.orientationExtension);
  w.u8(info.codec.payloadType);
  w.u8(info.codec.rtxPayloadType);
  w.u8(static_cast<std::uint8_t>(info.codec.channels));
  w.u32(info.codec.clockRate);
  w.name(roomId);
  w.name(info.ownerId);
  w.name(info.producerId);
  w.name(info.mid);
  w.name(info.codec.name);
  w.name(info.codec.fmtp);
  return finish(w, kAnnounce);
}

std::size_t writeWithdrawal(std::uint8_t* out, std::size_t capacity, std::uint32_t senderSsrc,
                            const std::string& roomId, std::uint32_t pipeId) {
  Writer w = start(out, capacity, senderSsrc);
  w.u32(pipeId);
  w.name(roomId);
  return finish(w, kWithdraw);
}

std::optional<CascadeControl> readCascadeControl(const rtp::RtcpPart& part) {
  if (part.type != kRtcpApp || part.bytes.size() < kHeader ||
      std::memcmp(part.bytes.data() + 8, kName, 4) != 0) {
    return std::nullopt;
  }
  Reader r{part.bytes.subspan(kHeader)};
  CascadeControl control;
  control.info.pipeId = r.u32();
  if (part.count == kWithdraw) {
    control.type = CascadeControl::Type::Withdrawal;
    control.roomId = r.name();
  } else if (part.count == kAnnounce) {
    auto& info = control.info;
    const std::uint8_t kind = r.u8(), source = r.u8();
    if (kind > static_cast<std::uint8_t>(sfu::MediaKind::Video) ||
        source > static_cast<std::uint8_t>(sfu::TrackSource::ScreenAudio)) {
      return std::nullopt;
    }
    info.kind = static_cast<sfu::MediaKind>(kind);
    info.source = static_cast<sfu::TrackSource>(source);
    info.layers = r.u8();
    info.audioLevelExtension = r.u8();
    info.orientationExtension = r.u8();
    info.codec.payloadType = r.u8();
    info.codec.rtxPayloadType = r.u8();
    info.codec.channels = r.u8();
    info.codec.clockRate = r.u32();
    control.roomId = r.name();
    info.ownerId = r.name();
    info.producerId = r.name();
    info.mid = r.name();
    info.codec.name = r.name();
    info.codec.fmtp = r.name();
    if (info.layers < 1 || info.layers > sfu::kMaxLayers || info.audioLevelExtension > 14 ||
        info.orientationExtension > 14) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (!r.ok || control.roomId.empty() || control.info.pipeId > kMaxCascadePipeId) return std::nullopt;
  return control;
}

}  // namespace parley::cascade
