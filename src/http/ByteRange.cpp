#include "http/ByteRange.h"

#include <charconv>

namespace parley::http {

namespace {
std::optional<std::uint64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}
}  // namespace

std::variant<WholeFile, ByteRange, Unsatisfiable> parseByteRange(std::string_view header, std::uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.substr(0, kUnit.size()) != kUnit) return WholeFile{};
  const std::string_view spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string_view::npos) return WholeFile{};
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return WholeFile{};
  const std::string_view first = spec.substr(0, dash), last = spec.substr(dash + 1);
  if (first.empty()) {  // the last N bytes
    const auto suffix = number(last);
    if (!suffix) return WholeFile{};
    if (*suffix == 0 || size == 0) return Unsatisfiable{};
    const std::uint64_t length = std::min(*suffix, size);
    return ByteRange{size - length, length};
  }
  const auto start = number(first);
  if (!start) return WholeFile{};
  std::uint64_t end = size == 0 ? 0 : size - 1;
  if (!last.empty()) {
    const auto given = number(last);
    if (!given || *given < *start) return WholeFile{};
    end = std::min(end, *given);
  }
  if (*start >= size) return Unsatisfiable{};
  return ByteRange{*start, end - *start + 1};
}

}  // namespace parley::http
