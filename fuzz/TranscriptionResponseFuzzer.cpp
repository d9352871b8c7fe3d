// libFuzzer: a recognition server's answer (OpenAI-compatible JSON) as the engine reads it.
#include <cstdint>
#include <string>

#include "transcribe/OpenAiRecognizer.h"
#include "transcribe/Recognizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto words =
        parley::transcribe::parseTranscriptionResponse(std::string(reinterpret_cast<const char*>(data), size), 12.5);
    for (const auto& w : words) {
      // Every word lies in the segment, in order of its own times.
      if (!(w.start <= w.end) || w.start < 0 || w.end > 12.5 + 1e-6) __builtin_trap();
    }
  } catch (const parley::transcribe::RecognizerError&) {
  }
  return 0;
}
