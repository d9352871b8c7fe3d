#pragma once
// A file the router answers with, too large to be read into a response: the response's
// status and headers (Content-Type, Content-Length, Content-Range...), and the bytes of the
// file the connection then sends, read as they go out.
#include <cstdint>
#include <string>

#include "http/HttpPolicy.h"

namespace parley::http {

struct FileDownload {
  Response head;  // no body
  std::string path;
  std::uint64_t offset = 0, length = 0;
};

}  // namespace parley::http
