// libFuzzer: SDP parsing, and the SFU's answer to whatever parses.
#include <string>
#include <variant>

#include "sdp/SessionDescription.h"
#include "sfu/SdpNegotiation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = parley::sdp::parse(text);
  if (auto* description = std::get_if<parley::sdp::SessionDescription>(&parsed)) {
    parley::sfu::answerPublisher(*description, {"u", "p", "AA", {"127.0.0.1", "::1"}, 40000, 1, 1, 40100});
    parley::sdp::write(*description);
  }
  return 0;
}
