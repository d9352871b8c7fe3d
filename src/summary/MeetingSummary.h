#pragma once
// A meeting's summary as Parley keeps and shows it: an overview, the main points, the
// decisions, the action items with their owners, and the participants (the transcript's own
// names, never the model's guesses). Read from a language model's answer, written as
// Markdown and JSON.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace parley::summary {

struct ActionItem {
  std::string owner;  // a participant's name, or empty when the meeting named nobody
  std::string task;
};

struct MeetingSummary {
  std::string language;  // ISO 639-1, the transcript's
  std::string overview;
  std::vector<std::string> mainPoints;
  std::vector<std::string> decisions;
  std::vector<ActionItem> actionItems;
  std::vector<std::string> participants;
};

// The model was asked for a JSON object (overview, main_points, decisions, action_items,
// participants ignored); it may wrap it in a code fence or prose. An answer with no such
// object keeps its text as the overview, so nothing the model wrote is lost.
MeetingSummary parseSummaryAnswer(const std::string& answer, const std::vector<std::string>& participants,
                                  const std::string& language);

nlohmann::json summaryJson(const MeetingSummary& summary);
// Headings in the summary's language (French or English).
std::string summaryMarkdown(const MeetingSummary& summary, const std::string& title);

}  // namespace parley::summary
