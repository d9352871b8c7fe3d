#include "signaling/MeetingSummaries.h"

#include <spdlog/spdlog.h>

#include "signaling/Protocol.h"
#include "store/Database.h"

namespace parley::signaling {

MeetingSummaries::MeetingSummaries(RoomRegistry& rooms, meeting::SummaryService* service, std::string language,
                                   std::string model)
    : rooms_(rooms), service_(service), language_(std::move(language)), model_(std::move(model)) {}

MeetingSummaries::Start MeetingSummaries::summarize(const std::string& roomId, std::int64_t transcriptionId,
                                                    std::int64_t now) {
  if (!service_) return Start::Unavailable;
  auto& store = rooms_.store();
  const auto segments = store.transcriptSegments(transcriptionId);
  if (segments.empty()) return Start::Empty;  // nothing was said: no summary to write
  meeting::SummaryJob job;
  job.transcriptionId = transcriptionId;
  job.roomId = roomId;
  job.language = language_;
  if (const auto record = rooms_.find(roomId)) job.title = record->name;
  for (const auto& s : segments) {
    // A document read away from the meeting: who had not signed in says so in the name.
    job.lines.push_back({s.startMs / 1000.0, s.guest ? s.name + " (guest)" : s.name, s.text});
  }
  if (!service_->submit(std::move(job))) return Start::Busy;
  const auto previous = store.summaryOf(transcriptionId);
  store::SummaryRecord record;
  record.transcriptionId = transcriptionId;
  record.roomId = roomId;
  record.state = "pending";
  record.language = language_;
  record.model = model_;
  // A summary written before stays readable until the new one replaces it.
  if (previous && previous->state == "done") {
    record.markdown = previous->markdown;
    record.json = previous->json;
  }
  record.updatedAt = now;
  save(record);
  running_[transcriptionId] = {};
  tell(roomId, "pending", "", {});
  return Start::Started;
}

void MeetingSummaries::onReport(const meeting::SummaryReport& report, std::int64_t now) {
  using State = meeting::SummaryReport::State;
  const Progress progress{report.progress.done, report.progress.total};
  // A step of a summary being written changes nothing stored (summarize() saved "pending"),
  // unless a retry's error is to be cleared: the moderators hear it, the store is left be.
  if (report.state == State::Running) {
    const auto it = running_.find(report.transcriptionId);
    const bool errorSaved = it != running_.end() && it->second.errorSaved;
    running_[report.transcriptionId] = progress;
    if (!errorSaved) return tell(report.roomId, "pending", "", progress);
  }
  auto& store = rooms_.store();
  // What the record had (a previous summary stays readable while a new one is written);
  // if the store cannot say now, the report is still written, as far as it goes.
  store::SummaryRecord record;
  try {
    record = store.summaryOf(report.transcriptionId).value_or(store::SummaryRecord{});
  } catch (const store::StoreError& e) {
    rooms_.writes().noteError("summary", e.what());
  }
  record.transcriptionId = report.transcriptionId;
  record.roomId = report.roomId;
  record.language = language_;
  record.model = model_;
  record.attempts = report.attempts;
  record.updatedAt = now;
  switch (report.state) {
    case State::Running:
      running_[report.transcriptionId] = progress;
      record.state = "pending";
      record.error.clear();
      break;
    case State::Retrying:
      running_[report.transcriptionId] = progress;
      running_[report.transcriptionId].errorSaved = true;
      record.state = "pending";
      record.error = report.error;
      spdlog::warn("summary of room {}: the language model failed, retrying: {}", report.roomId, report.error);
      break;
    case State::Done:
      running_.erase(report.transcriptionId);
      record.state = "done";
      record.error.clear();
      record.markdown = report.markdown;
      record.json = report.json;
      spdlog::info("summary of room {} written ({} requests to the language model)", report.roomId,
                   report.progress.done);
      break;
    case State::Failed:
      running_.erase(report.transcriptionId);
      record.state = "failed";
      record.error = report.error;
      spdlog::error("summary of room {} failed: {}", report.roomId, report.error);
      break;
  }
  save(record);
  tell(report.roomId, record.state, record.error, progress);
}

std::optional<MeetingSummaries::Progress> MeetingSummaries::progress(std::int64_t transcriptionId) const {
  const auto it = running_.find(transcriptionId);
  if (it == running_.end()) return std::nullopt;
  return it->second;
}

void MeetingSummaries::save(store::SummaryRecord record) {
  auto& store = rooms_.store();
  rooms_.writes().run("summary", [&store, record = std::move(record)] { store.saveSummary(record); });
}

void MeetingSummaries::tell(const std::string& roomId, const std::string& state, const std::string& error,
                            Progress progress) {
  if (const auto room = rooms_.active(roomId)) {
    room->tellModerators(summaryFrame(state, error, progress.done, progress.planned));
  }
}

}  // namespace parley::signaling
