#include "http/Router.h"

#include "http/Responses.h"

#include <nlohmann/json.hpp>

#include <map>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "common/Random.h"
#include "signaling/Validation.h"
#include "transcribe/Transcript.h"

namespace parley::http {

using nlohmann::json;

namespace {

// A browser navigating to a page (not the API, sign-in or a file it fetches for a page).
bool wantsPage(const Request& request, std::string_view path) {
  if (path.starts_with("/api/") || path.starts_with("/auth/")) return false;
  const auto accept = request[beast_http::field::accept];
  return std::string_view(accept.data(), accept.size()).find("text/html") != std::string_view::npos;
}

// What every response gets last, now or later: no body for HEAD, the error counters, and
// the request's keep-alive.
void finish(Response& response, bool head, bool keepAlive) {
  if (head) response.body().clear();
  const unsigned status = response.result_int();
  if (status >= 500) metrics().httpServerErrors++;
  else if (status >= 400) metrics().httpClientErrors++;
  response.keep_alive(keepAlive);
}

// The Host header names how the client reached us; HttpSession checked it is ours.
std::string baseUrl(const Request& request, const ClientInfo& client) {
  const std::string host(request[beast_http::field::host]);
  if (host.empty()) return {};
  return (client.https ? "https://" : "http://") + host;
}

// "autojoin" taken out of a query string, the rest kept as it was.
std::string withoutAutojoin(std::string_view query) {
  std::string out;
  for (std::size_t start = 0; start <= query.size();) {
    const auto end = std::min(query.find('&', start), query.size());
    const auto pair = query.substr(start, end - start);
    if (!pair.empty() && pair.substr(0, pair.find('=')) != "autojoin") {
      out += out.empty() ? "" : "&";
      out += pair;
    }
    start = end + 1;
  }
  return out;
}

// The most rooms GET /api/me/rooms lists (the newest).
constexpr int kMaxOwnedRoomsListed = 100;

bool isOwner(const std::optional<store::UserSessionRecord>& user, const store::RoomRecord& room) {
  return user && room.ownedBy(user->issuer, user->subject);
}

bool hasDeviceCookie(const Request& request) {
  return request[beast_http::field::cookie].find("parley_device=") != std::string_view::npos;
}

}  // namespace

void addSecurityHeaders(Response& response) {
  // 'wasm-unsafe-eval' lets the page compile WebAssembly (noise suppression, background
  // segmentation) and nothing else: JavaScript eval stays refused.
  response.set("Content-Security-Policy",
               "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; "
               "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
  response.set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)");
}

Router::Router(signaling::RoomRegistry& rooms, const StaticFiles& web, std::function<std::string()> extraMetrics)
    : rooms_(rooms), web_(web), extraMetrics_(std::move(extraMetrics)) {}

Response Router::error(unsigned status, std::string_view message, unsigned version) {
  return jsonResponse(status, version, {{"error", message}});
}

bool Router::handleLater(const Request& request, const ClientInfo& client,
                         const std::function<void(Response)>& respond) {
  if (!auth_) return false;
  return auth_->handle(request, client, [respond, head = request.method() == beast_http::verb::head,
                                         keepAlive = request.keep_alive()](Response response) {
    metrics().httpRequests++;
    finish(response, head, keepAlive);
    respond(std::move(response));
  });
}

Response Router::handle(const Request& request, const ClientInfo& client) {
  metrics().httpRequests++;
  Response response = [&]() -> Response {
    std::string_view target = request.target();
    const auto query = target.find('?');
    const std::string_view path = target.substr(0, query);
    const auto method = request.method();
    const bool isGet = method == beast_http::verb::get || method == beast_http::verb::head;

    if (path == "/healthz") {
      if (!isGet) return error(405, "method not allowed", request.version());
      return makeResponse(200, request.version(), "ok", "text/plain; charset=utf-8");
    }
    if (path == "/metrics") {
      if (!isGet) return error(405, "method not allowed", request.version());
      return makeResponse(200, request.version(),
                          metrics().renderPrometheus() + (extraMetrics_ ? extraMetrics_() : std::string()),
                          "text/plain; version=0.0.4");
    }
    if (path == "/api/rooms") {
      if (method != beast_http::verb::post) return error(405, "method not allowed", request.version());
      return createRoom(request, client);
    }
    if (path == "/api/me/rooms") {
      if (!isGet) return error(405, "method not allowed", request.version());
      return myRooms(request, client);
    }
    if (const auto roomApi = roomApiPath(path)) {
      const std::string id(roomApi->id);
      const std::string_view sub = roomApi->sub;
      if (sub == "/transcription") {
        if (method != beast_http::verb::post) return error(405, "method not allowed", request.version());
        return transcription(request, id, client);
      }
      if (sub == "/transcript") {
        if (!isGet) return error(405, "method not allowed", request.version());
        return transcript(request, id, query == std::string_view::npos ? "" : target.substr(query + 1), client);
      }
      if (sub == "/summary") {
        if (method == beast_http::verb::post) return regenerateSummary(request, id, client);
        if (!isGet) return error(405, "method not allowed", request.version());
        return summary(request, id, query == std::string_view::npos ? "" : target.substr(query + 1), client);
      }
      if (sub == "/recording") {
        if (method != beast_http::verb::post) return error(405, "method not allowed", request.version());
        return recordingControl(request, id, client);
      }
      if (sub == "/recordings") {
        if (!isGet) return error(405, "method not allowed", request.version());
        return recordingList(request, id, client);
      }
      if (sub.starts_with("/recordings/")) {
        if (const auto file = recordingFilePath(path)) {
          if (!isGet) return error(405, "method not allowed", request.version());
          return recordingFileInMemory(request, file->roomId, file->recordingId, file->name, client);
        }
        const std::string recordingId(sub.substr(std::string_view("/recordings/").size()));
        if (method != beast_http::verb::delete_) return error(405, "method not allowed", request.version());
        return recordingRemove(request, id, recordingId, client);
      }
      if (!sub.empty()) return error(404, "not found", request.version());
      if (!isGet) return error(405, "method not allowed", request.version());
      return getRoom(request, id, client);
    }
    if (path == "/" || path == "/index.html" || path == "/accessibility") {
      if (!isGet) return error(405, "method not allowed", request.version());
      return page(request, 200, client);
    }
    constexpr std::string_view kRoomPage = "/r/";
    if (path.substr(0, kRoomPage.size()) == kRoomPage) {
      if (!isGet) return error(405, "method not allowed", request.version());
      // The page itself explains an unknown code; the status tells machines.
      return page(request, rooms_.find(std::string(path.substr(kRoomPage.size()))) ? 200 : 404, client);
    }
    if (isGet) {
      if (web_.find(path)) return staticFile(request, path);
      // A person who followed a wrong link gets the client's own page, which says so in their
      // language; programs get the JSON error.
      if (wantsPage(request, path)) return page(request, 404, client);
    }
    return error(404, "not found", request.version());
  }();
  finish(response, request.method() == beast_http::verb::head, request.keep_alive());
  return response;
}

std::optional<Router::RoomApiPath> Router::roomApiPath(std::string_view path) {
  constexpr std::string_view kRoomApi = "/api/rooms/";
  if (!path.starts_with(kRoomApi)) return std::nullopt;
  const std::string_view rest = path.substr(kRoomApi.size());
  const auto slash = rest.find('/');
  return RoomApiPath{rest.substr(0, slash), slash == std::string_view::npos ? "" : rest.substr(slash)};
}

Response Router::createRoom(const Request& request, const ClientInfo& client) {
  if (!createLimits_.allow(client)) {
    auto limited = error(429, "too many rooms created; try again later", request.version());
    limited.set(beast_http::field::retry_after, "1");
    return limited;
  }

  // A signed-in creator owns the room. Their cookie is a credential: only this server's
  // pages may use it (no cross-site request creates rooms in their name).
  const auto user = signedInUser(request);
  if (user && !originAllowed(request, client)) return error(403, "cross-origin request refused", request.version());
  if (roomCreation_ == RoomCreation::SignedIn && !user) {
    return error(401, "sign in to create a meeting", request.version());
  }
  std::string name;
  // With sign-in, guests wait until a host lets them in; without, anyone with the link enters.
  auto access = rooms_.signInEnabled() ? signaling::AccessLevel::Trusted : signaling::AccessLevel::Public;
  const std::string& body = request.body();
  if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
    const json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return error(400, "the body must be a JSON object");
    if (const auto it = parsed.find("name"); it != parsed.end() && !it->is_null()) {
      if (!it->is_string()) return error(400, "\"name\" must be a string");
      auto checked = signaling::validateRoomName(it->get<std::string>());
      if (auto* problem = std::get_if<signaling::ValidationError>(&checked)) return error(400, problem->message);
      name = std::get<std::string>(checked);
    }
    if (const auto it = parsed.find("access"); it != parsed.end() && !it->is_null()) {
      const auto level = it->is_string() ? signaling::parseAccessLevel(it->get<std::string>()) : std::nullopt;
      if (!level) return error(400, "\"access\" must be public, trusted or restricted");
      access = *level;
    }
  }
  std::optional<signaling::Identity> owner;
  if (user) owner = signaling::Identity{user->issuer, user->subject, user->name};
  const auto created = rooms_.create(name, owner, access);
  return jsonResponse(201, request.version(),
                      {{"id", created.record.id},
                       {"name", created.record.name},
                       {"url", baseUrl(request, client) + "/r/" + created.record.id},
                       {"moderator_token", created.moderatorToken},
                       {"access", created.record.access},
                       {"owned", owner.has_value()},
                       {"created_at", formatIsoTime(created.record.createdAt)}});
}

Response Router::myRooms(const Request& request, const ClientInfo& client) {
  const auto user = signedInUser(request);
  if (!user) return error(401, "sign in to see your meetings", request.version());
  json list = json::array();
  for (const auto& room : rooms_.store().roomsOwnedBy(user->issuer, user->subject, kMaxOwnedRoomsListed)) {
    const auto live = rooms_.active(room.id);
    list.push_back({{"id", room.id},
                    {"name", room.name},
                    {"url", baseUrl(request, client) + "/r/" + room.id},
                    {"access", room.access},
                    {"created_at", formatIsoTime(room.createdAt)},
                    {"participant_count", live ? live->size() : 0}});
  }
  auto response = jsonResponse(200, request.version(), {{"rooms", std::move(list)}});
  response.set(beast_http::field::cache_control, "no-store");
  return response;
}

Response Router::getRoom(const Request& request, const std::string& id, const ClientInfo& client) {
  // Room codes are unguessable only if nobody can try them fast.
  if (!lookupLimits_.allow(client)) {
    auto limited = error(429, "too many requests; try again later", request.version());
    limited.set(beast_http::field::retry_after, "1");
    return limited;
  }
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  const auto live = rooms_.active(id);
  json answer = {{"id", record->id},
                 {"name", record->name},
                 {"created_at", formatIsoTime(record->createdAt)},
                 {"participant_count", live ? live->size() : 0},
                 // Whoever is about to join is told (the page says so before they enter).
                 {"recording", live && live->recording()}};
  // Who is in the meeting is for its moderators: the token, as for transcripts.
  const std::string_view header = request[beast_http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (header.substr(0, kBearer.size()) == kBearer || isOwner(signedInUser(request), *record)) {
    if (auto denied = authorize(request, *record, client)) return std::move(*denied);
    json participants = json::array();
    if (live) {
      for (const auto& p : live->participants()) participants.push_back(signaling::participantJson(p));
    }
    answer["participants"] = std::move(participants);
  }
  return jsonResponse(200, request.version(), answer);
}

std::optional<Response> Router::authorize(const Request& request, const store::RoomRecord& room,
                                          const ClientInfo& client) {
  const std::string_view header = request[beast_http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (header.substr(0, kBearer.size()) != kBearer && isOwner(signedInUser(request), room)) {
    const bool reads = request.method() == beast_http::verb::get || request.method() == beast_http::verb::head;
    if (!reads && !originAllowed(request, client)) return error(403, "cross-origin request refused", request.version());
    return std::nullopt;
  }
  if (header.substr(0, kBearer.size()) != kBearer) {
    auto response = error(401, "a moderator token is required (Authorization: Bearer TOKEN)", request.version());
    response.set(beast_http::field::www_authenticate, "Bearer");
    return response;
  }
  if (!signaling::RoomRegistry::isModeratorToken(room, header.substr(kBearer.size()))) {
    return error(403, "the token is not this meeting's moderator token", request.version());
  }
  return std::nullopt;
}

Response Router::transcription(const Request& request, const std::string& id, const ClientInfo& client) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  if (auto denied = authorize(request, *record, client)) return std::move(*denied);
  const json body = json::parse(request.body(), nullptr, false);
  const std::string action = body.is_object() && body.contains("action") && body["action"].is_string()
                                 ? body["action"].get<std::string>()
                                 : "";
  if (action != "start" && action != "stop") return error(400, "the body must be {\"action\": \"start\" or \"stop\"}");
  auto room = rooms_.open(id);
  if (action == "start") {
    switch (room->startTranscription(unixMillisNow())) {
      case signaling::Room::TranscriptionStart::Started:
      case signaling::Room::TranscriptionStart::AlreadyRunning:
        break;
      case signaling::Room::TranscriptionStart::Unavailable:
        rooms_.release(id);
        return error(503, "transcription is not available on this server", request.version());
      case signaling::Room::TranscriptionStart::ServerFull: {
        rooms_.release(id);
        auto busy = error(503, "this server is already transcribing as many meetings as it can; try again later",
                          request.version());
        busy.set(beast_http::field::retry_after, "60");
        return busy;
      }
    }
  } else {
    room->stopTranscription(unixMillisNow());
    rooms_.release(id);
  }
  json answer = {{"active", room->transcribing()}};
  if (room->transcribing()) answer["started_at"] = formatIsoTime(room->transcriptionStartedAt());
  return jsonResponse(200, request.version(), answer);
}

Response Router::transcript(const Request& request, const std::string& id, std::string_view query,
                            const ClientInfo& client) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  if (auto denied = authorize(request, *record, client)) return std::move(*denied);
  std::string formatName = "json";
  for (std::size_t start = 0; start < query.size();) {
    const auto end = std::min(query.find('&', start), query.size());
    const auto pair = query.substr(start, end - start);
    if (pair.substr(0, 7) == "format=") formatName = std::string(pair.substr(7));
    start = end + 1;
  }
  const auto format = transcribe::parseFormat(formatName);
  if (!format || *format == transcribe::Format::Rttm || *format == transcribe::Format::Text) {
    return error(400, "format must be json, vtt, srt or md", request.version());
  }
  auto& store = rooms_.store();
  const auto latest = store.latestTranscription(id);
  if (!latest) return error(404, "this meeting has not been transcribed", request.version());
  const auto segments = store.transcriptSegments(latest->id);
  if (*format == transcribe::Format::Json) {
    json list = json::array();
    for (const auto& s : segments) {
      list.push_back({{"start", s.startMs / 1000.0},
                      {"end", s.endMs / 1000.0},
                      {"speaker", {{"id", s.participantId}, {"name", s.name}, {"guest", s.guest}}},
                      {"text", s.text}});
    }
    json doc = {{"room", id}, {"started_at", formatIsoTime(latest->startedAt)}, {"segments", std::move(list)}};
    doc["stopped_at"] = latest->stoppedAt ? json(formatIsoTime(*latest->stoppedAt)) : json(nullptr);
    return jsonResponse(200, request.version(), doc);
  }
  transcribe::Transcript t;
  t.fileId = id;
  for (const auto& s : segments) {
    // A document read away from the meeting: who had not signed in says so in the name.
    if (!t.speaker(s.participantId)) t.speakers.push_back({s.participantId, s.guest ? s.name + " (guest)" : s.name});
    t.segments.push_back({s.startMs / 1000.0, s.endMs / 1000.0, s.participantId, s.text, {}});
  }
  static const std::map<transcribe::Format, std::string> kTypes = {
      {transcribe::Format::Vtt, "text/vtt; charset=utf-8"},
      {transcribe::Format::Srt, "application/x-subrip; charset=utf-8"},
      {transcribe::Format::Markdown, "text/markdown; charset=utf-8"}};
  auto response = makeResponse(200, request.version(), transcribe::render(t, *format), kTypes.at(*format));
  response.set(beast_http::field::content_disposition, "attachment; filename=\"transcript-" + id + "." + formatName + "\"");
  response.set(beast_http::field::cache_control, "no-store");
  return response;
}

Response Router::page(const Request& request, unsigned status, const ClientInfo& client) {
  const StaticFile* index = web_.index();
  if (!index) {
    return makeResponse(503, request.version(),
                        "The web client is not built: run `make build` (or set PARLEY_WEB_ROOT).\n",
                        "text/plain; charset=utf-8");
  }
  // Another site linked here with ?autojoin=1: never join with camera and microphone on
  // without a click on this site. The same page without autojoin asks first.
  const std::string_view target = request.target();
  const auto query = target.find('?');
  const std::string_view queryText = query == std::string_view::npos ? std::string_view{} : target.substr(query + 1);
  const std::string rest = withoutAutojoin(queryText);
  if (rest != queryText && request["Sec-Fetch-Site"] == "cross-site") {
    auto redirect = makeResponse(303, request.version(), "", "text/plain; charset=utf-8");
    redirect.set(beast_http::field::location,
                 std::string(target.substr(0, query)) + (rest.empty() ? "" : "?" + rest));
    redirect.set(beast_http::field::cache_control, "no-store");
    return redirect;
  }
  auto response = makeResponse(status, request.version(), index->body, index->contentType);
  response.set(beast_http::field::cache_control, "no-cache");
  // A random name for this browser, so a moderator's removal holds for the meeting.
  if (!hasDeviceCookie(request)) {
    response.set(beast_http::field::set_cookie, "parley_device=" + randomToken(16) +
                                                    "; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax" +
                                                    (client.https ? "; Secure" : ""));
  }
  return response;
}

Response Router::staticFile(const Request& request, std::string_view path) {
  const StaticFile* file = web_.find(path);
  auto response = makeResponse(200, request.version(), file->body, file->contentType);
  response.set(beast_http::field::cache_control, file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace parley::http
