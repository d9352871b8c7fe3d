#pragma once
// A Range request header (RFC 9110 section 14) against a file of `size` bytes: one range of
// bytes ("bytes=0-99", "bytes=100-", "bytes=-500") is served; a header with several ranges,
// another unit or a malformed one is ignored (the whole file is served, as the RFC allows);
// a range that starts past the end cannot be served (416).
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace parley::http {

struct ByteRange {
  std::uint64_t offset = 0, length = 0;
};
struct WholeFile {};
struct Unsatisfiable {};

std::variant<WholeFile, ByteRange, Unsatisfiable> parseByteRange(std::string_view header, std::uint64_t size);

}  // namespace parley::http
