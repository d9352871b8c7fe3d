// libFuzzer: a recording's manifest.json and events.jsonl as read back from disk for its
// composite (a directory anyone with access to the disk could have changed).
#include <cstdint>
#include <string_view>

#include "record/CompositePlan.h"
#include "record/RecordingManifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::record;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto split = text.find('\0');
  const auto manifest = parseManifest(text.substr(0, split));
  const auto events = parseEvents(split == std::string_view::npos ? std::string_view() : text.substr(split + 1));
  if (manifest) planComposite(*manifest, events, CompositeSettings{});
  return 0;
}
