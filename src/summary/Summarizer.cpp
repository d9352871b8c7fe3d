#include "summary/Summarizer.h"

#include <algorithm>

namespace parley::summary {

namespace {
std::vector<std::string> speakersOf(const std::vector<TranscriptLine>& lines) {
  std::vector<std::string> names;
  for (const auto& line : lines) {
    if (std::find(names.begin(), names.end(), line.speaker) == names.end()) names.push_back(line.speaker);
  }
  return names;
}

// Consecutive notes grouped so that each group fits in `maxChars` (a note alone may not).
std::vector<std::string> groupNotes(const std::vector<std::string>& notes, std::size_t maxChars) {
  std::vector<std::string> groups;
  std::string current;
  for (const auto& note : notes) {
    if (!current.empty() && current.size() + note.size() + 2 > maxChars) {
      groups.push_back(std::move(current));
      current.clear();
    }
    current += (current.empty() ? "" : "\n\n") + note;
  }
  if (!current.empty()) groups.push_back(std::move(current));
  return groups;
}

std::size_t totalSize(const std::vector<std::string>& notes) {
  std::size_t size = 0;
  for (const auto& n : notes) size += n.size() + 2;
  return size;
}
}  // namespace

MeetingSummary Summarizer::summarize(const std::vector<TranscriptLine>& lines, const std::string& language,
                                     const Progress& progress) const {
  const auto participants = speakersOf(lines);
  const auto parts = transcriptParts(lines, settings_.maxChars);
  SummaryProgress state;
  auto ask = [&](const std::vector<ChatMessage>& messages) {
    std::string answer = complete_(messages);
    ++state.done;
    if (progress) progress(state);
    return answer;
  };
  if (parts.size() <= 1) {
    state.total = 1;
    return parseSummaryAnswer(ask(summaryPrompt(parts.empty() ? std::string() : parts.front(), false, participants,
                                                language)),
                              participants, language);
  }
  state.total = static_cast<int>(parts.size()) + 1;
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    notes.push_back(ask(notesPrompt(parts[i], static_cast<int>(i) + 1, static_cast<int>(parts.size()), language)));
  }
  // Notes that do not fit in one request are merged, group by group, until they do.
  for (int round = 0; round < settings_.maxMergeRounds && totalSize(notes) > settings_.maxChars; ++round) {
    const auto groups = groupNotes(notes, settings_.maxChars);
    state.total += static_cast<int>(groups.size());
    std::vector<std::string> merged;
    for (const auto& group : groups) merged.push_back(ask(mergeNotesPrompt(group, language)));
    const bool shrank = totalSize(merged) < totalSize(notes);
    notes = std::move(merged);
    if (!shrank) break;  // the model does not shorten them: send what there is
  }
  std::string material;
  for (std::size_t i = 0; i < notes.size(); ++i) material += (i ? "\n\n" : "") + notes[i];
  return parseSummaryAnswer(ask(summaryPrompt(material, true, participants, language)), participants, language);
}

}  // namespace parley::summary
