#pragma once
// Rules for what people type: display names, room names, chat lines. Each check returns
// the cleaned value or a message a person can act on.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace parley::signaling {

inline constexpr std::size_t kMaxDisplayNameChars = 64;
inline constexpr std::size_t kMaxRoomNameChars = 100;
inline constexpr std::size_t kMaxChatChars = 2000;

struct ValidationError {
  std::string message;
};

// Trimmed; 1 to 64 characters of valid UTF-8, no control characters.
std::variant<std::string, ValidationError> validateDisplayName(std::string_view name);
// Trimmed; 0 to 100 characters, no control characters.
std::variant<std::string, ValidationError> validateRoomName(std::string_view name);
// Trimmed; 1 to 2,000 characters; new lines and tabs allowed, other controls not.
std::variant<std::string, ValidationError> validateChatText(std::string_view text);

// "abc-defg-hij", lowercase ASCII letters only.
bool isValidRoomId(std::string_view id);

}  // namespace parley::signaling
