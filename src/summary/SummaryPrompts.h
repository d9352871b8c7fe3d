#pragma once
// What a language model is asked, in the transcript's language: a transcript cut into parts
// that fit the model's context (whole lines, in order), notes on each part, and a summary
// of the whole from the transcript itself or from the notes.
#include <cstddef>
#include <string>
#include <vector>

#include "summary/ChatCompletions.h"

namespace parley::summary {

struct TranscriptLine {
  double start = 0;  // seconds since the transcription started
  std::string speaker;
  std::string text;
};

// "[hh:mm:ss] Name: text" lines, grouped into parts of at most `maxChars` characters (a line
// longer than that alone is cut between words). Nothing is left out.
std::vector<std::string> transcriptParts(const std::vector<TranscriptLine>& lines, std::size_t maxChars);

// Notes on part `part` (from 1) of `parts`: points, decisions and action items with owners.
std::vector<ChatMessage> notesPrompt(const std::string& transcriptPart, int part, int parts, const std::string& language);
// Several parts' notes made into one shorter set of notes, when all of them do not fit.
std::vector<ChatMessage> mergeNotesPrompt(const std::string& notes, const std::string& language);
// The summary as a JSON object, from the whole transcript (`fromNotes` false) or from the
// notes on its parts.
std::vector<ChatMessage> summaryPrompt(const std::string& material, bool fromNotes,
                                       const std::vector<std::string>& participants, const std::string& language);

}  // namespace parley::summary
