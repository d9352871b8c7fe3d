// libFuzzer: STUN parsing and integrity checking on arbitrary datagrams.
#include <cstddef>
#include <cstdint>

#include "ice/StunMessage.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto message = parley::ice::parseStun({data, size});
  if (message) {
    parley::ice::checkIntegrity(*message, "fuzz-password");
    if (message->type == parley::ice::kBindingRequest) {
      std::uint8_t out[parley::ice::kMaxStunSize];
      parley::ice::writeBindingSuccess(*message, parley::net::Address::ipv4(127, 0, 0, 1, 1), "pw", out);
      parley::ice::writeBindingError(*message, 401, out);
    }
  }
  return 0;
}
