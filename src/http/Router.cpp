#include "http/Router.h"

#include <nlohmann/json.hpp>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "signaling/Validation.h"

namespace parley::http {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxTrackedClients = 10000;

Response makeResponse(unsigned status, unsigned version, std::string body, std::string contentType) {
  Response response{static_cast<beast_http::status>(status), version};
  response.set(beast_http::field::server, "Parley");
  response.set(beast_http::field::content_type, contentType);
  response.body() = std::move(body);
  addSecurityHeaders(response);
  response.prepare_payload();
  return response;
}

Response jsonResponse(unsigned status, unsigned version, const json& body) {
  auto response = makeResponse(status, version, body.dump(-1, ' ', false, json::error_handler_t::replace),
                               "application/json");
  response.set(beast_http::field::cache_control, "no-store");
  return response;
}

// The Host header names how the client reached us; only accept plain host[:port] forms.
std::string baseUrl(const Request& request) {
  const std::string host(request[beast_http::field::host]);
  if (host.empty() || host.size() > 255) return {};
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) {
      return {};
    }
  }
  const bool https = request["X-Forwarded-Proto"] == "https";
  return (https ? "https://" : "http://") + host;
}

}  // namespace

void addSecurityHeaders(Response& response) {
  response.set("Content-Security-Policy",
               "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
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

Response Router::handle(const Request& request, const std::string& clientAddress) {
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
      return createRoom(request, clientAddress);
    }
    constexpr std::string_view kRoomApi = "/api/rooms/";
    if (path.substr(0, kRoomApi.size()) == kRoomApi) {
      if (!isGet) return error(405, "method not allowed", request.version());
      return getRoom(request, std::string(path.substr(kRoomApi.size())));
    }
    if (path == "/" || path == "/index.html") {
      if (!isGet) return error(405, "method not allowed", request.version());
      return page(request, 200);
    }
    constexpr std::string_view kRoomPage = "/r/";
    if (path.substr(0, kRoomPage.size()) == kRoomPage) {
      if (!isGet) return error(405, "method not allowed", request.version());
      // The page itself explains an unknown code; the status tells machines.
      return page(request, rooms_.find(std::string(path.substr(kRoomPage.size()))) ? 200 : 404);
    }
    if (isGet) {
      if (web_.find(path)) return staticFile(request, path);
    }
    return error(404, "not found", request.version());
  }();
  if (request.method() == beast_http::verb::head) {
    response.body().clear();
  }
  const unsigned status = response.result_int();
  if (status >= 500) metrics().httpServerErrors++;
  else if (status >= 400) metrics().httpClientErrors++;
  response.keep_alive(request.keep_alive());
  return response;
}

Response Router::createRoom(const Request& request, const std::string& clientAddress) {
  if (createLimits_.size() > kMaxTrackedClients) createLimits_.clear();
  auto [limit, inserted] = createLimits_.try_emplace(clientAddress, 1.0, 30.0);  // 30 at once, then 1 a second
  if (!limit->second.allow(unixMillisNow())) return error(429, "too many rooms created; try again later");

  std::string name;
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
  }
  const auto created = rooms_.create(name);
  return jsonResponse(201, request.version(),
                      {{"id", created.record.id},
                       {"name", created.record.name},
                       {"url", baseUrl(request) + "/r/" + created.record.id},
                       {"moderator_token", created.moderatorToken},
                       {"created_at", formatIsoTime(created.record.createdAt)}});
}

Response Router::getRoom(const Request& request, const std::string& id) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  json participants = json::array();
  if (const auto live = rooms_.active(id)) {
    for (const auto& p : live->participants()) {
      participants.push_back({{"id", p.id},
                              {"name", p.name},
                              {"role", signaling::roleName(p.role)},
                              {"joined_at", formatIsoTime(p.joinedAt)},
                              {"hand_raised", p.handRaised},
                              {"audio_muted", p.audioMuted},
                              {"video_muted", p.videoMuted}});
    }
  }
  return jsonResponse(200, request.version(),
                      {{"id", record->id},
                       {"name", record->name},
                       {"created_at", formatIsoTime(record->createdAt)},
                       {"participants", std::move(participants)}});
}

Response Router::page(const Request& request, unsigned status) {
  const StaticFile* index = web_.index();
  if (!index) {
    return makeResponse(503, request.version(),
                        "The web client is not built: run `make build` (or set PARLEY_WEB_ROOT).\n",
                        "text/plain; charset=utf-8");
  }
  auto response = makeResponse(status, request.version(), index->body, index->contentType);
  response.set(beast_http::field::cache_control, "no-cache");
  return response;
}

Response Router::staticFile(const Request& request, std::string_view path) {
  const StaticFile* file = web_.find(path);
  auto response = makeResponse(200, request.version(), file->body, file->contentType);
  response.set(beast_http::field::cache_control, file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace parley::http
