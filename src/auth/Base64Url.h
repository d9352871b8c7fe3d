#pragma once
// Base64url (RFC 4648 section 5), as JWS and JWK use it: no padding, no line breaks; and
// plain padded base64 (section 4) for HTTP Basic credentials.
#include <optional>
#include <string>
#include <string_view>

namespace parley::auth {

std::string base64UrlEncode(std::string_view bytes);
std::string base64Encode(std::string_view bytes);
// nullopt for anything but canonical unpadded base64url (a length of 1 mod 4, a character
// outside the alphabet, padding, or stray bits in the last character).
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace parley::auth
