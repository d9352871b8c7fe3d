#include "sfu/MediaTypes.h"

namespace parley::sfu {

namespace {
constexpr TrackSource kSources[] = {TrackSource::Camera, TrackSource::Microphone, TrackSource::Screen,
                                    TrackSource::ScreenAudio};
}

// The names clients use in publish and see in subscribe-offer (docs/protocol.md).
const char* sourceName(TrackSource source) {
  switch (source) {
    case TrackSource::Camera: return "camera";
    case TrackSource::Microphone: return "microphone";
    case TrackSource::Screen: return "screen";
    case TrackSource::ScreenAudio: return "screen-audio";
  }
  return "camera";
}

bool parseSource(const std::string& name, TrackSource& out) {
  for (auto s : kSources) {
    if (name == sourceName(s)) {
      out = s;
      return true;
    }
  }
  return false;
}

}  // namespace parley::sfu
