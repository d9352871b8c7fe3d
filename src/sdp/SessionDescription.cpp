#include "sdp/SessionDescription.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <sstream>

namespace parley::sdp {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const auto pos = s.find(sep);
    const auto part = s.substr(0, pos);
    if (!part.empty()) out.push_back(part);
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

template <typename T>
bool number(std::string_view s, T& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "key:value" of an a= line, or the whole flag.
std::pair<std::string_view, std::string_view> attribute(std::string_view value) {
  const auto colon = value.find(':');
  if (colon == std::string_view::npos) return {value, {}};
  return {value.substr(0, colon), value.substr(colon + 1)};
}

Codec* findOrAddCodec(MediaDescription& m, int pt) {
  for (auto& c : m.codecs) {
    if (c.payloadType == pt) return &c;
  }
  if (m.codecs.size() >= 128) return nullptr;
  m.codecs.push_back(Codec{});
  m.codecs.back().payloadType = pt;
  return &m.codecs.back();
}

bool isDirection(std::string_view a) {
  return a == "sendrecv" || a == "sendonly" || a == "recvonly" || a == "inactive";
}

bool isRidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRidLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// "ID send|recv [restrictions]": the restrictions (pt=, max-width=...) are not needed to
// forward a layer.
std::optional<Rid> parseRid(std::string_view value) {
  const auto parts = split(trim(value), ' ');
  if (parts.size() < 2 || !isRidId(parts[0]) || (parts[1] != "send" && parts[1] != "recv")) return std::nullopt;
  return Rid{std::string(parts[0]), std::string(parts[1])};
}

// "send q;h;f recv a,b" (RFC 8853 section 5.1): a list per direction, ';' between streams and
// ',' between alternatives of one; '~' marks a stream paused at first.
void parseSimulcast(std::string_view value, MediaDescription& m) {
  const auto parts = split(trim(value), ' ');
  for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
    auto* list = parts[i] == "send" ? &m.simulcastSend : parts[i] == "recv" ? &m.simulcastRecv : nullptr;
    if (!list) continue;
    for (auto stream : split(parts[i + 1], ';')) {
      auto first = split(stream, ',');
      if (first.empty()) continue;
      auto id = first[0];
      if (!id.empty() && id.front() == '~') id.remove_prefix(1);
      if (isRidId(id) && list->size() < kMaxRids) list->emplace_back(id);
    }
  }
}

}  // namespace

int Codec::apt() const {
  const auto pos = fmtp.find("apt=");
  if (pos == std::string::npos) return -1;
  int value = -1;
  std::string_view rest(fmtp);
  rest.remove_prefix(pos + 4);
  rest = rest.substr(0, rest.find(';'));
  return number(rest, value) ? value : -1;
}

const Codec* MediaDescription::codec(int payloadType) const {
  for (const auto& c : codecs) {
    if (c.payloadType == payloadType) return &c;
  }
  return nullptr;
}

int MediaDescription::extensionId(std::string_view uri) const {
  for (const auto& e : extensions) {
    if (e.uri == uri) return e.id;
  }
  return 0;
}

std::variant<SessionDescription, std::string> parse(std::string_view text) {
  if (text.size() > kMaxSdpBytes) return std::string("the SDP is larger than 64 KiB");
  SessionDescription session;
  MediaDescription* media = nullptr;
  bool sawVersion = false;
  std::size_t lineNumber = 0;
  for (std::string_view rawLine : split(text, '\n')) {
    ++lineNumber;
    const std::string_view line = trim(rawLine);
    if (line.empty()) continue;
    if (line.size() < 2 || line[1] != '=') {
      return "line " + std::to_string(lineNumber) + " is not of the form x=value";
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (type == 'v') {
      if (value != "0") return std::string("unsupported SDP version");
      sawVersion = true;
    } else if (type == 'o') {
      const auto parts = split(value, ' ');
      if (parts.size() >= 3) {
        number(parts[1], session.sessionId);
        number(parts[2], session.sessionVersion);
      }
    } else if (type == 'm') {
      if (session.media.size() >= kMaxMediaSections) return std::string("too many media sections");
      const auto parts = split(value, ' ');
      if (parts.size() < 3) return "line " + std::to_string(lineNumber) + ": malformed m= line";
      session.media.push_back(MediaDescription{});
      media = &session.media.back();
      media->kind = std::string(parts[0]);
      if (!number(parts[1].substr(0, parts[1].find('/')), media->port)) return std::string("malformed m= port");
      media->protocol = std::string(parts[2]);
      for (std::size_t i = 3; i < parts.size() && i < 3 + 128; ++i) media->formats.emplace_back(parts[i]);
      media->direction = "sendrecv";
    } else if (type == 'a') {
      const auto [key, val] = attribute(value);
      // Session or media level.
      std::string* ufrag = media ? &media->iceUfrag : &session.iceUfrag;
      std::string* pwd = media ? &media->icePwd : &session.icePwd;
      std::string* setup = media ? &media->setup : &session.setup;
      if (key == "ice-ufrag") *ufrag = std::string(val);
      else if (key == "ice-pwd") *pwd = std::string(val);
      else if (key == "setup") *setup = std::string(val);
      else if (key == "ice-lite") session.iceLite = true;
      else if (key == "fingerprint") {
        const auto parts = split(val, ' ');
        if (parts.size() != 2) return std::string("malformed a=fingerprint");
        std::string algorithm(parts[0]);
        for (auto& c : algorithm) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        (media ? media->fingerprintAlgorithm : session.fingerprintAlgorithm) = algorithm;
        (media ? media->fingerprint : session.fingerprint) = std::string(parts[1]);
      } else if (key == "group") {
        const auto parts = split(val, ' ');
        if (!parts.empty() && parts[0] == "BUNDLE") {
          for (std::size_t i = 1; i < parts.size(); ++i) session.bundle.emplace_back(parts[i]);
        }
      } else if (!media) {
        continue;  // other session-level attributes do not matter here
      } else if (key == "mid") {
        media->mid = std::string(val);
      } else if (isDirection(key)) {
        media->direction = std::string(key);
      } else if (key == "rtcp-mux") {
        media->rtcpMux = true;
      } else if (key == "rtcp-rsize") {
        media->rtcpReducedSize = true;
      } else if (key == "rtpmap") {
        // 111 opus/48000/2
        const auto space = val.find(' ');
        int pt = 0;
        if (space == std::string_view::npos || !number(val.substr(0, space), pt) || pt < 0 || pt > 127) {
          return std::string("malformed a=rtpmap");
        }
        const auto parts = split(val.substr(space + 1), '/');
        Codec* codec = findOrAddCodec(*media, pt);
        if (!codec || parts.empty()) return std::string("malformed a=rtpmap");
        codec->name = std::string(parts[0]);
        if (parts.size() > 1 && !number(parts[1], codec->clockRate)) return std::string("malformed a=rtpmap clock rate");
        if (parts.size() > 2 && !number(parts[2], codec->channels)) return std::string("malformed a=rtpmap channels");
      } else if (key == "fmtp") {
        const auto space = val.find(' ');
        int pt = 0;
        if (space == std::string_view::npos || !number(val.substr(0, space), pt)) continue;
        if (Codec* codec = findOrAddCodec(*media, pt)) codec->fmtp = std::string(trim(val.substr(space + 1)));
      } else if (key == "rtcp-fb") {
        const auto space = val.find(' ');
        int pt = 0;
        if (space == std::string_view::npos || !number(val.substr(0, space), pt)) continue;
        if (Codec* codec = findOrAddCodec(*media, pt); codec && codec->feedback.size() < 16) {
          codec->feedback.emplace_back(trim(val.substr(space + 1)));
        }
      } else if (key == "extmap") {
        const auto parts = split(val, ' ');
        int id = 0;
        if (parts.size() < 2 || !number(parts[0].substr(0, parts[0].find('/')), id) || id < 1 || id > 255) {
          return std::string("malformed a=extmap");
        }
        const auto slash = parts[0].find('/');
        std::string direction = slash == std::string_view::npos ? "" : std::string(parts[0].substr(slash + 1));
        if (!direction.empty() && !isDirection(direction)) return std::string("malformed a=extmap direction");
        if (media->extensions.size() < 32) media->extensions.push_back({id, std::string(parts[1]), std::move(direction)});
      } else if (key == "ssrc") {
        const auto space = val.find(' ');
        std::uint32_t ssrc = 0;
        if (!number(val.substr(0, space), ssrc)) return std::string("malformed a=ssrc");
        bool known = false;
        for (auto s : media->ssrcs) known = known || s == ssrc;
        if (!known && media->ssrcs.size() < 32) media->ssrcs.push_back(ssrc);
        if (space != std::string_view::npos) {
          const auto [k, v] = attribute(val.substr(space + 1));
          if (k == "cname" && media->cname.empty()) media->cname = std::string(v);
          if (k == "msid" && media->msid.empty()) media->msid = std::string(v);
        }
      } else if (key == "ssrc-group") {
        const auto parts = split(val, ' ');
        if (parts.empty() || media->ssrcGroups.size() >= 8) continue;
        SsrcGroup group{std::string(parts[0]), {}};
        for (std::size_t i = 1; i < parts.size() && i < 9; ++i) {
          std::uint32_t ssrc = 0;
          if (!number(parts[i], ssrc)) return std::string("malformed a=ssrc-group");
          group.ssrcs.push_back(ssrc);
        }
        media->ssrcGroups.push_back(std::move(group));
      } else if (key == "msid") {
        media->msid = std::string(val);
      } else if (key == "rid") {
        media->simulcast = true;
        if (auto rid = parseRid(val); rid && media->rids.size() < kMaxRids) media->rids.push_back(std::move(*rid));
      } else if (key == "simulcast") {
        media->simulcast = true;
        parseSimulcast(val, *media);
      } else if (key == "candidate") {
        if (media->candidates.size() < 32) media->candidates.emplace_back(val);
      } else if (key == "bundle-only") {
        media->bundleOnly = true;
      } else if (key == "end-of-candidates") {
        media->endOfCandidates = true;
      }
    }
  }
  if (!sawVersion) return std::string("the SDP has no v=0 line");
  for (auto& m : session.media) {
    if (m.iceUfrag.empty()) m.iceUfrag = session.iceUfrag;
    if (m.icePwd.empty()) m.icePwd = session.icePwd;
    if (m.fingerprint.empty()) {
      m.fingerprint = session.fingerprint;
      m.fingerprintAlgorithm = session.fingerprintAlgorithm;
    }
    if (m.setup.empty()) m.setup = session.setup;
  }
  return session;
}

std::string write(const SessionDescription& d) {
  std::ostringstream out;
  out << "v=0\r\n"
      << "o=- " << d.sessionId << ' ' << d.sessionVersion << " IN IP4 0.0.0.0\r\n"
      << "s=-\r\n"
      << "t=0 0\r\n";
  if (d.iceLite) out << "a=ice-lite\r\n";
  if (!d.bundle.empty()) {
    out << "a=group:BUNDLE";
    for (const auto& mid : d.bundle) out << ' ' << mid;
    out << "\r\n";
  }
  out << "a=msid-semantic: WMS *\r\n";
  for (const auto& m : d.media) {
    out << "m=" << m.kind << ' ' << m.port << ' ' << m.protocol;
    for (const auto& f : m.formats) out << ' ' << f;
    out << "\r\n"
        << "c=IN IP4 0.0.0.0\r\n";
    if (!m.iceUfrag.empty()) out << "a=ice-ufrag:" << m.iceUfrag << "\r\n" << "a=ice-pwd:" << m.icePwd << "\r\n";
    if (!m.fingerprint.empty()) out << "a=fingerprint:" << m.fingerprintAlgorithm << ' ' << m.fingerprint << "\r\n";
    if (!m.setup.empty()) out << "a=setup:" << m.setup << "\r\n";
    out << "a=mid:" << m.mid << "\r\n";
    for (const auto& e : m.extensions) {
      out << "a=extmap:" << e.id << (e.direction.empty() ? "" : "/") << e.direction << ' ' << e.uri << "\r\n";
    }
    out << "a=" << m.direction << "\r\n";
    if (!m.msid.empty()) out << "a=msid:" << m.msid << "\r\n";
    if (m.rtcpMux) out << "a=rtcp-mux\r\n";
    if (m.rtcpReducedSize) out << "a=rtcp-rsize\r\n";
    for (const auto& c : m.codecs) {
      out << "a=rtpmap:" << c.payloadType << ' ' << c.name << '/' << c.clockRate;
      if (c.channels > 1) out << '/' << c.channels;
      out << "\r\n";
      for (const auto& fb : c.feedback) out << "a=rtcp-fb:" << c.payloadType << ' ' << fb << "\r\n";
      if (!c.fmtp.empty()) out << "a=fmtp:" << c.payloadType << ' ' << c.fmtp << "\r\n";
    }
    for (const auto& g : m.ssrcGroups) {
      out << "a=ssrc-group:" << g.semantics;
      for (auto s : g.ssrcs) out << ' ' << s;
      out << "\r\n";
    }
    for (auto s : m.ssrcs) {
      out << "a=ssrc:" << s << " cname:" << m.cname << "\r\n";
      if (!m.msid.empty()) out << "a=ssrc:" << s << " msid:" << m.msid << "\r\n";
    }
    for (const auto& r : m.rids) out << "a=rid:" << r.id << ' ' << r.direction << "\r\n";
    const auto simulcastList = [&](const char* direction, const std::vector<std::string>& ids) {
      if (ids.empty()) return;
      out << direction;
      for (std::size_t i = 0; i < ids.size(); ++i) out << (i ? ";" : "") << ids[i];
    };
    if (!m.simulcastSend.empty() || !m.simulcastRecv.empty()) {
      out << "a=simulcast:";
      simulcastList("send ", m.simulcastSend);
      if (!m.simulcastSend.empty() && !m.simulcastRecv.empty()) out << ' ';
      simulcastList("recv ", m.simulcastRecv);
      out << "\r\n";
    }
    for (const auto& c : m.candidates) out << "a=candidate:" << c << "\r\n";
    if (m.endOfCandidates) out << "a=end-of-candidates\r\n";
  }
  return out.str();
}

void setTransport(MediaDescription& m, const std::string& ufrag, const std::string& pwd, const std::string& fingerprint,
                  const std::string& setup) {
  m.iceUfrag = ufrag;
  m.icePwd = pwd;
  m.fingerprintAlgorithm = "sha-256";
  m.fingerprint = fingerprint;
  m.setup = setup;
  m.rtcpMux = true;
}

}  // namespace parley::sdp
