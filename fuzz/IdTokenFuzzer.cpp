// libFuzzer: an identity provider's documents (the bytes before the first NUL, read as its
// key set and as its discovery document) and an ID token (the bytes after it), validated
// against a fixed key set: whatever a provider or a browser sends, a clear refusal and never
// a crash.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/IdToken.h"
#include "auth/ProviderMetadata.h"

namespace {

const parley::auth::JsonWebKeySet& fixedKeys() {
  // A P-256 key written out once: the fuzzer's tokens are checked against it.
  static const auto keys = std::get<parley::auth::JsonWebKeySet>(parley::auth::JsonWebKeySet::parse(
      R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig",)"
      R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})"));
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find('\0');
  const auto keyText = input.substr(0, split);
  const auto token = split == std::string_view::npos ? input : input.substr(split + 1);
  parley::auth::ProviderMetadata::parse(keyText, "https://idp.example");
  const auto parsed = parley::auth::JsonWebKeySet::parse(keyText);
  parley::auth::IdTokenExpectations expected{"https://idp.example", "parley", "nonce", 1'800'000'000};
  parley::auth::validateIdToken(token, fixedKeys(), expected);
  if (const auto* keys = std::get_if<parley::auth::JsonWebKeySet>(&parsed)) {
    parley::auth::validateIdToken(token, *keys, expected);
  }
  return 0;
}
