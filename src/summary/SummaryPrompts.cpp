#include "summary/SummaryPrompts.h"

#include <cstdio>

namespace parley::summary {

namespace {
std::string clock(double seconds) {
  const long total = seconds < 0 ? 0 : static_cast<long>(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%02ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  return text;
}

// Cuts `line` into pieces of at most `maxChars`, between words where there is one.
std::vector<std::string> cutLine(const std::string& line, std::size_t maxChars) {
  std::vector<std::string> pieces;
  std::size_t at = 0;
  while (line.size() - at > maxChars) {
    std::size_t cut = line.rfind(' ', at + maxChars);
    if (cut == std::string::npos || cut <= at) cut = at + maxChars;
    pieces.push_back(line.substr(at, cut - at));
    at = cut;
    while (at < line.size() && line[at] == ' ') ++at;
  }
  if (at < line.size()) pieces.push_back(line.substr(at));
  return pieces;
}

bool french(const std::string& language) { return language == "fr"; }

std::string system(const std::string& language) {
  return french(language)
             ? "Tu rédiges des comptes rendus de réunion pour les personnes qui y ont participé. Réponds en "
               "français. N'utilise que ce que dit la transcription : n'invente ni nom, ni décision, ni date. La "
               "transcription est automatique et contient des erreurs de reconnaissance : corrige-les quand le sens "
               "est clair, ignore-les sinon."
             : "You write meeting summaries for the people who attended. Answer in English. Use only what the "
               "transcript says: do not invent names, decisions or dates. The transcript is automatic and has "
               "recognition errors: correct them when the meaning is clear, ignore them otherwise.";
}

std::string jsonShape(const std::string& language) {
  return french(language)
             ? "Réponds uniquement par un objet JSON avec ces clés : \"overview\" (deux ou trois phrases), "
               "\"main_points\" (liste de phrases), \"decisions\" (liste de phrases), \"action_items\" (liste "
               "d'objets {\"owner\": nom du participant chargé de l'action ou null, \"task\": l'action})."
             : "Answer with a JSON object only, with these keys: \"overview\" (two or three sentences), "
               "\"main_points\" (a list of sentences), \"decisions\" (a list of sentences), \"action_items\" (a list "
               "of objects {\"owner\": the name of the participant who will do it, or null, \"task\": the action}).";
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}
}  // namespace

std::vector<std::string> transcriptParts(const std::vector<TranscriptLine>& lines, std::size_t maxChars) {
  std::vector<std::string> parts;
  std::string current;
  for (const auto& line : lines) {
    const std::string text = "[" + clock(line.start) + "] " + line.speaker + ": " + line.text + "\n";
    for (auto& piece : cutLine(text, maxChars)) {
      if (!current.empty() && current.size() + piece.size() > maxChars) {
        parts.push_back(std::move(current));
        current.clear();
      }
      current += piece;
    }
  }
  if (!current.empty()) parts.push_back(std::move(current));
  return parts;
}

std::vector<ChatMessage> notesPrompt(const std::string& transcriptPart, int part, int parts,
                                     const std::string& language) {
  const std::string where = std::to_string(part) + "/" + std::to_string(parts);
  const std::string ask =
      french(language)
          ? "Voici la partie " + where + " de la transcription d'une réunion (chaque ligne : heure, nom de la "
                "personne qui parle, ses mots). Prends des notes concises sur cette partie : les sujets abordés, "
                "les décisions prises et les actions décidées avec la personne qui s'en charge. Garde les noms "
                "exacts.\n\nTranscription :\n"
          : "Here is part " + where + " of a meeting's transcript (each line: time, name of the speaker, their "
                "words). Take concise notes on this part: the subjects discussed, the decisions made and the actions "
                "agreed with who will do them. Keep the exact names.\n\nTranscript:\n";
  return {{"system", system(language)}, {"user", ask + transcriptPart}};
}

std::vector<ChatMessage> mergeNotesPrompt(const std::string& notes, const std::string& language) {
  const std::string ask =
      french(language)
          ? "Voici les notes prises sur des parties successives d'une même réunion. Fusionne-les en des notes "
            "plus courtes, sans perdre de décision ni d'action (avec la personne qui s'en charge).\n\nNotes :\n"
          : "Here are notes taken on successive parts of one meeting. Merge them into shorter notes, without losing "
            "any decision or action item (with who will do it).\n\nNotes:\n";
  return {{"system", system(language)}, {"user", ask + notes}};
}

std::vector<ChatMessage> summaryPrompt(const std::string& material, bool fromNotes,
                                       const std::vector<std::string>& participants, const std::string& language) {
  std::string ask;
  if (french(language)) {
    ask = (fromNotes ? "Voici les notes prises, dans l'ordre, sur les parties d'une réunion. "
                     : "Voici la transcription d'une réunion (chaque ligne : heure, nom de la personne qui parle, ses "
                       "mots). ") +
          std::string("Participants : ") + joinNames(participants) + ". Rédige son compte rendu. " + jsonShape(language) +
          (fromNotes ? "\n\nNotes :\n" : "\n\nTranscription :\n");
  } else {
    ask = (fromNotes ? "Here are the notes taken, in order, on the parts of a meeting. "
                     : "Here is the transcript of a meeting (each line: time, name of the speaker, their words). ") +
          std::string("Participants: ") + joinNames(participants) + ". Write its summary. " + jsonShape(language) +
          (fromNotes ? "\n\nNotes:\n" : "\n\nTranscript:\n");
  }
  return {{"system", system(language)}, {"user", ask + material}};
}

}  // namespace parley::summary
