// A room's recording: started and stopped by moderators, announced to everyone, and told
// what happens in the room while it runs (who is there under which name, mutes, the active
// speaker), so that its composite can show names and who speaks.
#include "signaling/Room.h"

namespace parley::signaling {

Room::RecordingStart Room::startRecording(const std::string& by, std::int64_t now, std::string* problem) {
  auto* recordings = services_.recordings;
  if (!recordings || !recordings->available()) return RecordingStart::Unavailable;
  using Error = meeting::RecordingService::StartError;
  const auto started = recordings->start(record_.id, now, problem);
  if (const auto* error = std::get_if<Error>(&started)) {
    switch (*error) {
      case Error::AlreadyRunning: return RecordingStart::AlreadyRunning;
      case Error::Full: return RecordingStart::ServerFull;
      case Error::Disk: return RecordingStart::DiskError;
      case Error::Unavailable: return RecordingStart::Unavailable;
    }
  }
  noteForRecording("start", {}, by);
  for (const auto& member : members_) {
    noteForRecording("join", member.view.id);
    if (member.view.audioMuted) noteForRecording("mute", member.view.id, "audio");
    if (member.view.videoMuted) noteForRecording("mute", member.view.id, "video");
  }
  broadcast(recordingFrame(true, now, by));
  return RecordingStart::Started;
}

bool Room::stopRecording(const std::string& by, std::int64_t now) {
  auto* recordings = services_.recordings;
  if (!recordings) return false;
  const auto current = recordings->current(record_.id);
  if (!current) return false;
  noteForRecording("stop", {}, by);
  recordings->stop(record_.id);
  broadcast(recordingFrame(false, current->startedAt, by));
  return true;
}

void Room::onRecordingEnded(const meeting::RecordingReport& report) {
  using Kind = meeting::RecordingReport::Kind;
  if (report.kind == Kind::Rendered || report.kind == Kind::RenderFailed) {
    tellModerators(recordingReadyFrame(report.recordingId, report.kind == Kind::Rendered, report.error));
    return;
  }
  if (report.kind != Kind::Failed && report.kind != Kind::Limited) return;  // a stop was announced when asked for
  auto* recordings = services_.recordings;
  const auto current = recordings ? recordings->current(record_.id) : std::nullopt;
  if (!current || current->recordingId != report.recordingId) return;
  // The writer stopped by itself (a full disk, its longest length, the disk's free-space
  // floor): the room stops recording and says why.
  recordings->stop(record_.id);
  broadcast(recordingFrame(false, current->startedAt, {}, report.error));
}

void Room::noteForRecording(const std::string& type, const std::string& participantId, const std::string& detail) {
  auto* recordings = services_.recordings;
  if (!recordings || !recordings->recording(record_.id)) return;
  std::string name;
  if (const auto known = names_.find(participantId); known != names_.end()) name = known->second.name;
  recordings->note(record_.id, {type, participantId, name, detail});
}

}  // namespace parley::signaling
