#pragma once
// Responses as every route makes them: the Server header, the security headers, the length.
#include <nlohmann/json.hpp>
#include <string>

#include "http/HttpPolicy.h"

namespace parley::http {

Response makeResponse(unsigned status, unsigned version, std::string body, std::string contentType);
// JSON, not to be cached.
Response jsonResponse(unsigned status, unsigned version, const nlohmann::json& body);
// A small HTML page for people (a sign-in that failed): a title, a sentence, a link home.
Response htmlMessage(unsigned status, unsigned version, const std::string& title, const std::string& message);
// 302 to `location`, not to be cached.
Response redirect(unsigned version, const std::string& location);

}  // namespace parley::http
