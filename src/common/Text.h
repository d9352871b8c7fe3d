#pragma once
// Checks on text that arrives from users: names, chat lines, paths.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

// Number of Unicode code points, or nullopt when `text` is not valid UTF-8
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::optional<std::size_t> utf8Length(std::string_view text);

// True when `text` holds a C0 or C1 control character or DEL. `allowNewlines` lets
// '\n' (and '\r', '\t') through, for multi-line chat.
bool hasControlCharacters(std::string_view text, bool allowNewlines = false);

// Removes leading and trailing ASCII white space.
std::string_view trimWhitespace(std::string_view text);

// Hex SHA-256 of `data`; tokens are stored hashed, so a copy of the database grants nothing.
std::string sha256Hex(std::string_view data);

// Compares in time independent of where the strings differ.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace parley
