#include "http/Responses.h"

#include "http/Router.h"

namespace parley::http {

namespace bhttp = boost::beast::http;

Response makeResponse(unsigned status, unsigned version, std::string body, std::string contentType) {
  Response response{static_cast<bhttp::status>(status), version};
  response.set(bhttp::field::server, "Parley");
  response.set(bhttp::field::content_type, contentType);
  response.body() = std::move(body);
  addSecurityHeaders(response);
  response.prepare_payload();
  return response;
}

Response jsonResponse(unsigned status, unsigned version, const nlohmann::json& body) {
  auto response = makeResponse(status, version, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                               "application/json");
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

namespace {
std::string escapeHtml(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}
}  // namespace

Response htmlMessage(unsigned status, unsigned version, const std::string& title, const std::string& message) {
  auto response = makeResponse(status, version,
                               "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>" + escapeHtml(title) +
                                   " - Parley</title><main><h1>" + escapeHtml(title) + "</h1><p>" + escapeHtml(message) +
                                   "</p><p><a href=\"/\">Parley</a></p></main></html>",
                               "text/html; charset=utf-8");
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

Response redirect(unsigned version, const std::string& location) {
  auto response = makeResponse(302, version, {}, "text/plain; charset=utf-8");
  response.set(bhttp::field::location, location);
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

}  // namespace parley::http
