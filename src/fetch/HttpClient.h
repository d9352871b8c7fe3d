#pragma once
// A small blocking HTTP/1.1 client (Boost.Beast, TLS through OpenSSL with the system's
// trust store) for the recognition server: one POST per speech segment, with timeouts.
#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

namespace parley::transcribe {

struct Url {
  bool https = false;
  std::string host;
  std::string port;
  std::string path;  // without a trailing slash
};

// Accepts http://host[:port][/path] and https://...; throws std::invalid_argument.
Url parseUrl(const std::string& text);

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws HttpError when the server cannot be reached or does not answer in time.
HttpResponse httpPost(const Url& url, const std::string& target, const std::map<std::string, std::string>& headers,
                      const std::string& body, std::chrono::seconds timeout);

}  // namespace parley::transcribe
