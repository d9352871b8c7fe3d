// libFuzzer: a language model server's answer (chat completions JSON) and the text it
// carries (the summary object the model was asked for, or anything else), as Parley reads
// them into the documents it serves.
#include <cstdint>
#include <string>

#include "summary/ChatCompletions.h"
#include "summary/MeetingSummary.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string content = bytes;
  try {
    content = parley::summary::parseChatResponse(bytes);
  } catch (const parley::summary::ChatError&) {
  }
  const auto summary = parley::summary::parseSummaryAnswer(content, {"Ana", "Bruno"}, size % 2 ? "fr" : "en");
  const auto markdown = parley::summary::summaryMarkdown(summary, "Réunion");
  const auto json = parley::summary::summaryJson(summary).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // The participants are always the transcript's, never the model's.
  if (summary.participants.size() != 2 || markdown.empty() || json.empty()) __builtin_trap();
  return 0;
}
