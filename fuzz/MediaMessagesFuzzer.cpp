// libFuzzer: what a node reads from another node's media channel (a home's commands, a
// media node's reports, the hello): a refusal or a message, never a crash; one accepted
// once survives being written and read again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "routing/MediaMessages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::routing;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string error;
  if (const auto command = decodeCommand(input, error)) {
    const auto again = decodeCommand(encodeCommand(*command), error);
    if (!again || again->roomId != command->roomId || again->sdp != command->sdp || again->shards != command->shards) {
      std::abort();
    }
  }
  if (const auto report = decodeReport(input, error)) {
    const auto again = decodeReport(encodeReport(*report), error);
    if (!again || again->event.sdp != report->event.sdp || again->shards != report->shards ||
        again->event.tracks.size() != report->event.tracks.size()) {
      std::abort();
    }
  }
  (void)decodeHello(input);
  return 0;
}
