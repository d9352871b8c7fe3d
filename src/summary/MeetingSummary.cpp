#include "summary/MeetingSummary.h"

namespace parley::summary {

namespace {
using nlohmann::json;

std::string textOf(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return {};
}

std::vector<std::string> listOf(const json& doc, const char* key) {
  std::vector<std::string> out;
  const auto it = doc.find(key);
  if (it == doc.end()) return out;
  if (it->is_string() && !it->get<std::string>().empty()) out.push_back(it->get<std::string>());
  if (!it->is_array()) return out;
  for (const auto& item : *it) {
    std::string text = item.is_object() ? textOf(item.value("text", json())) : textOf(item);
    if (!text.empty()) out.push_back(std::move(text));
  }
  return out;
}

// The outermost {...} of the answer that parses as JSON, if any.
json findObject(const std::string& answer) {
  const auto open = answer.find('{');
  const auto close = answer.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return nullptr;
  auto doc = json::parse(answer.substr(open, close - open + 1), nullptr, false);
  return doc.is_object() ? doc : json(nullptr);
}

struct Headings {
  const char* summary;
  const char* overview;
  const char* points;
  const char* decisions;
  const char* actions;
  const char* participants;
  const char* none;
  const char* unassigned;
};

const Headings& headingsFor(const std::string& language) {
  static const Headings kFrench{"Compte rendu", "En bref", "Points principaux", "Décisions", "Actions",
                                "Participants", "Aucune.", "non attribuée"};
  static const Headings kEnglish{"Summary", "Overview", "Main points", "Decisions", "Action items",
                                 "Participants", "None.", "unassigned"};
  return language == "fr" ? kFrench : kEnglish;
}

void bullets(std::string& out, const char* heading, const std::vector<std::string>& items, const Headings& h) {
  out += std::string("\n## ") + heading + "\n\n";
  if (items.empty()) out += std::string(h.none) + "\n";
  for (const auto& item : items) out += "- " + item + "\n";
}
}  // namespace

MeetingSummary parseSummaryAnswer(const std::string& answer, const std::vector<std::string>& participants,
                                  const std::string& language) {
  MeetingSummary summary;
  summary.language = language;
  summary.participants = participants;
  const json doc = findObject(answer);
  if (doc.is_null()) {
    summary.overview = answer;
    return summary;
  }
  summary.overview = textOf(doc.value("overview", json()));
  summary.mainPoints = listOf(doc, "main_points");
  summary.decisions = listOf(doc, "decisions");
  if (const auto items = doc.find("action_items"); items != doc.end() && items->is_array()) {
    for (const auto& item : *items) {
      ActionItem action;
      if (item.is_object()) {
        action.owner = textOf(item.value("owner", json()));
        action.task = textOf(item.value("task", json()));
      } else {
        action.task = textOf(item);
      }
      if (!action.task.empty()) summary.actionItems.push_back(std::move(action));
    }
  }
  return summary;
}

nlohmann::json summaryJson(const MeetingSummary& summary) {
  json actions = json::array();
  for (const auto& a : summary.actionItems) {
    actions.push_back({{"owner", a.owner.empty() ? json(nullptr) : json(a.owner)}, {"task", a.task}});
  }
  return {{"language", summary.language},     {"overview", summary.overview},
          {"main_points", summary.mainPoints}, {"decisions", summary.decisions},
          {"action_items", std::move(actions)}, {"participants", summary.participants}};
}

std::string summaryMarkdown(const MeetingSummary& summary, const std::string& title) {
  const Headings& h = headingsFor(summary.language);
  std::string out = std::string("# ") + h.summary + (title.empty() ? "" : " — " + title) + "\n";
  if (!summary.overview.empty()) out += std::string("\n## ") + h.overview + "\n\n" + summary.overview + "\n";
  bullets(out, h.points, summary.mainPoints, h);
  bullets(out, h.decisions, summary.decisions, h);
  out += std::string("\n## ") + h.actions + "\n\n";
  if (summary.actionItems.empty()) out += std::string(h.none) + "\n";
  for (const auto& a : summary.actionItems) {
    out += "- **" + (a.owner.empty() ? std::string(h.unassigned) : a.owner) + "**: " + a.task + "\n";
  }
  bullets(out, h.participants, summary.participants, h);
  return out;
}

}  // namespace parley::summary
