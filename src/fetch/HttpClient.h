#pragma once
// A small blocking HTTP/1.1 client (Boost.Beast, TLS through OpenSSL with the system's
// trust store, the server's name checked) for the servers Parley calls inside the
// deployment: the recognition server (a POST per speech segment) and the identity provider
// (its documents and token endpoint). Blocking: call it from a thread of its own, never
// from the control thread or a media worker.
#include <chrono>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>

namespace parley::fetch {

struct Url {
  bool https = false;
  std::string host;
  std::string port;
  std::string path;  // without a trailing slash
};

// Accepts http://host[:port][/path] and https://...; throws std::invalid_argument.
Url parseUrl(const std::string& text);
// The Host header for `url`: with its port unless it is the default one.
std::string hostHeader(const Url& url);

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string contentType;
};

class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kDefaultMaxResponseBytes = 16 * 1024 * 1024;

// Throws HttpError when the server cannot be reached, does not answer in time, or answers
// with a body larger than `maxResponseBytes`.
HttpResponse httpPost(const Url& url, const std::string& target, const std::map<std::string, std::string>& headers,
                      const std::string& body, std::chrono::seconds timeout,
                      std::size_t maxResponseBytes = kDefaultMaxResponseBytes);
HttpResponse httpGet(const Url& url, const std::string& target, const std::map<std::string, std::string>& headers,
                     std::chrono::seconds timeout, std::size_t maxResponseBytes = kDefaultMaxResponseBytes);

}  // namespace parley::fetch
