#pragma once
// A meeting's summary from its transcript, however long: a transcript that fits the model's
// context is summarised at once; a longer one is cut into parts, each part gets notes, notes
// that still do not fit together are merged in rounds, and the summary is written from the
// notes. So nothing is cut off by the model's context.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "summary/ChatCompletions.h"
#include "summary/MeetingSummary.h"
#include "summary/SummaryPrompts.h"

namespace parley::summary {

struct SummarizerSettings {
  // Characters of transcript or notes per request: about 6,000 tokens, which leaves room
  // for the answer in an 8k context (the smallest of the usual deployments).
  std::size_t maxChars = 24000;
  int maxMergeRounds = 6;  // each round divides the notes; six cover far more than a day
};

struct SummaryProgress {
  int done = 0;   // requests answered
  int total = 0;  // requests planned so far (merges are only known as notes come back)
};

class Summarizer {
 public:
  // Asks the model; throws ChatError (or anything) to abandon the summary.
  using Complete = std::function<std::string(const std::vector<ChatMessage>&)>;
  using Progress = std::function<void(const SummaryProgress&)>;

  Summarizer(Complete complete, SummarizerSettings settings = {}) : complete_(std::move(complete)), settings_(settings) {}

  // `lines` in time order; the participants are their speakers, in order of first words.
  MeetingSummary summarize(const std::vector<TranscriptLine>& lines, const std::string& language,
                           const Progress& progress = {}) const;

 private:
  Complete complete_;
  SummarizerSettings settings_;
};

}  // namespace parley::summary
