// The meeting summary routes of the REST API: read the latest transcription's summary (its
// state while it is written, the document once it is) and ask for it to be written again.
#include <nlohmann/json.hpp>

#include "common/Clock.h"
#include "http/Responses.h"
#include "http/Router.h"
#include "signaling/MeetingSummaries.h"

namespace parley::http {

using nlohmann::json;

Response Router::summary(const Request& request, const std::string& id, std::string_view query,
                         const ClientInfo& client) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  if (auto denied = authorize(request, *record, client)) return std::move(*denied);
  const std::string format = queryValue(query, "format").value_or("json");
  if (format != "json" && format != "md") return error(400, "format must be json or md", request.version());
  auto& store = rooms_.store();
  const auto latest = store.latestTranscription(id);
  if (!latest) return error(404, "this meeting has not been transcribed", request.version());
  const auto saved = store.summaryOf(latest->id);
  if (format == "md") {
    if (!saved || saved->markdown.empty()) {
      return error(409, saved && saved->state == "failed" ? "the summary could not be written: " + saved->error
                                                           : std::string("the summary is not written yet"),
                   request.version());
    }
    auto response = makeResponse(200, request.version(), saved->markdown, "text/markdown; charset=utf-8");
    response.set(beast_http::field::content_disposition, "attachment; filename=\"summary-" + id + ".md\"");
    response.set(beast_http::field::cache_control, "no-store");
    return response;
  }
  // The state, always: "none" (not asked for, or nothing was said), "pending", "done" or
  // "failed", with why and the steps of one being written.
  json doc = {{"room", id},
              {"transcription_started_at", formatIsoTime(latest->startedAt)},
              {"transcribing", !latest->stoppedAt.has_value()},
              {"enabled", summaries_ && summaries_->enabled()},
              {"state", saved ? saved->state : "none"},
              {"summary", nullptr}};
  if (saved) {
    if (!saved->error.empty()) doc["error"] = saved->error;
    doc["attempts"] = saved->attempts;
    doc["model"] = saved->model;
    doc["language"] = saved->language;
    doc["updated_at"] = formatIsoTime(saved->updatedAt);
    if (!saved->json.empty()) doc["summary"] = json::parse(saved->json, nullptr, false);
  }
  if (const auto progress = summaries_ ? summaries_->progress(latest->id) : std::nullopt) {
    doc["steps_done"] = progress->done;
    doc["steps_planned"] = progress->planned;
  }
  auto response = jsonResponse(200, request.version(), doc);
  response.set(beast_http::field::cache_control, "no-store");
  return response;
}

Response Router::regenerateSummary(const Request& request, const std::string& id, const ClientInfo& client) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  if (auto denied = authorize(request, *record, client)) return std::move(*denied);
  const json body = json::parse(request.body(), nullptr, false);
  if (!body.is_object() || body.value("action", json()) != json("regenerate")) {
    return error(400, "the body must be {\"action\": \"regenerate\"}", request.version());
  }
  if (!summaries_ || !summaries_->enabled()) {
    return error(503, "summaries are not enabled on this server (--llm-url)", request.version());
  }
  auto& store = rooms_.store();
  const auto latest = store.latestTranscription(id);
  if (!latest) return error(404, "this meeting has not been transcribed", request.version());
  if (!latest->stoppedAt) return error(409, "the transcription is still running: stop it first", request.version());
  if (summaries_->progress(latest->id)) return error(409, "the summary is being written", request.version());
  switch (summaries_->summarize(id, latest->id, unixMillisNow())) {
    case signaling::MeetingSummaries::Start::Started:
      return jsonResponse(202, request.version(), json{{"state", "pending"}});
    case signaling::MeetingSummaries::Start::Empty:
      return error(409, "the transcript is empty: there is nothing to summarise", request.version());
    case signaling::MeetingSummaries::Start::Busy: {
      auto busy = error(503, "too many summaries are waiting for the language model; try again later",
                        request.version());
      busy.set(beast_http::field::retry_after, "60");
      return busy;
    }
    case signaling::MeetingSummaries::Start::Unavailable:
      break;
  }
  return error(503, "summaries are not enabled on this server (--llm-url)", request.version());
}

}  // namespace parley::http
