#include "signaling/Validation.h"

#include "common/Text.h"

namespace parley::signaling {

namespace {

std::variant<std::string, ValidationError> validateText(std::string_view raw, const char* what, std::size_t minChars,
                                                        std::size_t maxChars, bool allowNewlines) {
  const std::string_view text = trimWhitespace(raw);
  const auto length = utf8Length(text);
  if (!length) return ValidationError{std::string(what) + " is not valid UTF-8"};
  if (*length < minChars) return ValidationError{std::string(what) + " is empty"};
  if (*length > maxChars) {
    return ValidationError{std::string(what) + " is longer than " + std::to_string(maxChars) + " characters"};
  }
  if (hasControlCharacters(text, allowNewlines)) {
    return ValidationError{std::string(what) + " contains control characters"};
  }
  return std::string(text);
}

}  // namespace

std::variant<std::string, ValidationError> validateDisplayName(std::string_view name) {
  return validateText(name, "the name", 1, kMaxDisplayNameChars, false);
}

std::variant<std::string, ValidationError> validateRoomName(std::string_view name) {
  return validateText(name, "the room name", 0, kMaxRoomNameChars, false);
}

std::variant<std::string, ValidationError> validateChatText(std::string_view text) {
  return validateText(text, "the message", 1, kMaxChatChars, true);
}

bool isValidRoomId(std::string_view id) {
  if (id.size() != 12 || id[3] != '-' || id[8] != '-') return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 3 || i == 8) continue;
    if (id[i] < 'a' || id[i] > 'z') return false;
  }
  return true;
}

}  // namespace parley::signaling
