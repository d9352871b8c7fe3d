#pragma once
// Whole numbers from command lines, URLs and configuration: all of the text or nothing.
#include <charconv>
#include <string_view>
#include <system_error>

namespace parley {

// `text` as a whole number from `lo` to `hi` into `out`; false (and `out` untouched) for
// anything else: empty text, a sign where T has none, trailing characters, out of range.
template <typename T>
bool parseNumberInRange(std::string_view text, T lo, T hi, T& out) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < lo || value > hi) return false;
  out = value;
  return true;
}

}  // namespace parley
