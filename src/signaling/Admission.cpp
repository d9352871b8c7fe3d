#include "signaling/Admission.h"

namespace parley::signaling {

std::optional<AccessLevel> parseAccessLevel(std::string_view name) {
  if (name == "public") return AccessLevel::Public;
  if (name == "trusted") return AccessLevel::Trusted;
  if (name == "restricted") return AccessLevel::Restricted;
  return std::nullopt;
}

const char* accessLevelName(AccessLevel level) {
  switch (level) {
    case AccessLevel::Public: return "public";
    case AccessLevel::Trusted: return "trusted";
    case AccessLevel::Restricted: return "restricted";
  }
  return "public";
}

}  // namespace parley::signaling
