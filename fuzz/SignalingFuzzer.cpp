// libFuzzer: the signaling protocol parser on arbitrary WebSocket frames.
#include <string_view>

#include "signaling/Protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parley::signaling::parseClientMessage(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
