// The recording routes of the REST API: start and stop a room's recording, list its
// recordings, download their files (with byte ranges, streamed by the connection) and
// delete them. The moderators' rules, as for transcription.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/Clock.h"
#include "common/Metrics.h"
#include "http/ByteRange.h"
#include "http/Responses.h"
#include "http/Router.h"
#include "meeting/RecordingService.h"

namespace parley::http {

using nlohmann::json;

namespace {

// Files a response reads into memory (HEAD, tests): larger ones only stream.
constexpr std::uint64_t kMaxInMemoryBytes = 1 << 20;

std::string contentTypeOf(const std::string& name) {
  if (name.ends_with(".webm")) return "video/webm";
  if (name.ends_with(".mkv")) return "video/x-matroska";
  if (name.ends_with(".mp4")) return "video/mp4";
  if (name.ends_with(".m4a")) return "audio/mp4";
  if (name.ends_with(".json") || name.ends_with(".jsonl")) return "application/json";
  return "application/octet-stream";
}

}  // namespace

Response Router::recordingControl(const Request& request, const std::string& id, const ClientInfo& client) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  if (auto denied = authorize(request, *record, client)) return std::move(*denied);
  const json body = json::parse(request.body(), nullptr, false);
  const std::string action =
      body.is_object() && body.contains("action") && body["action"].is_string() ? body["action"].get<std::string>() : "";
  if (action != "start" && action != "stop") return error(400, "the body must be {\"action\": \"start\" or \"stop\"}");
  if (!recordings_ || !recordings_->available()) {
    return error(503, "recording is not available on this server (see --recordings)", request.version());
  }
  const auto user = signedInUser(request);
  const std::string by = user ? user->name : std::string();
  if (action == "start") {
    auto room = rooms_.open(id);
    std::string problem;
    switch (room->startRecording(by, unixMillisNow(), &problem)) {
      case signaling::Room::RecordingStart::Started:
      case signaling::Room::RecordingStart::AlreadyRunning:
        break;
      case signaling::Room::RecordingStart::Unavailable:
        rooms_.release(id);
        return error(503, "recording is not available on this server (see --recordings)", request.version());
      case signaling::Room::RecordingStart::ServerFull: {
        rooms_.release(id);
        auto busy = error(503, "this server is already recording as many meetings as it can; try again later",
                          request.version());
        busy.set(beast_http::field::retry_after, "60");
        return busy;
      }
      case signaling::Room::RecordingStart::DiskError:
        rooms_.release(id);
        return error(507, "the recording could not be started: " + problem, request.version());
    }
  } else if (auto room = rooms_.active(id)) {
    room->stopRecording(by, unixMillisNow());
  }
  json answer = {{"active", recordings_->recording(id)}};
  if (const auto current = recordings_->current(id)) {
    answer["id"] = current->recordingId;
    answer["started_at"] = formatIsoTime(current->startedAt);
  }
  return jsonResponse(200, request.version(), answer);
}

Response Router::recordingList(const Request& request, const std::string& id, const ClientInfo& client) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  if (auto denied = authorize(request, *record, client)) return std::move(*denied);
  json list = json::array();
  if (recordings_) {
    for (const auto& r : recordings_->list(id)) {
      json files = json::array();
      for (const auto& f : r.files) {
        files.push_back({{"name", f.name},
                         {"kind", f.kind},
                         {"participant", f.participant},
                         {"participant_name", f.participantName},
                         {"source", f.source},
                         {"size", f.bytes},
                         {"url", "/api/rooms/" + id + "/recordings/" + r.id + "/" + f.name}});
      }
      json item = {{"id", r.id},
                   {"state", r.state},
                   {"started_at", formatIsoTime(r.startedAt)},
                   {"duration_ms", r.durationMillis},
                   {"size", r.bytes},
                   {"files", std::move(files)}};
      if (r.stoppedAt) item["stopped_at"] = formatIsoTime(r.stoppedAt);
      if (!r.error.empty()) item["error"] = r.error;
      if (!r.render.empty()) {
        item["composite"] = {{"state", r.render}, {"progress", r.renderProgress}};
        if (!r.renderError.empty()) item["composite"]["error"] = r.renderError;
      }
      list.push_back(std::move(item));
    }
  }
  return jsonResponse(200, request.version(),
                      {{"room", id}, {"available", recordings_ && recordings_->available()},
                       {"recording", recordings_ && recordings_->recording(id)}, {"recordings", std::move(list)}});
}

Response Router::recordingRemove(const Request& request, const std::string& id, const std::string& recordingId,
                                 const ClientInfo& client) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  if (auto denied = authorize(request, *record, client)) return std::move(*denied);
  if (!recordings_) return error(404, "no such recording", request.version());
  switch (recordings_->remove(id, recordingId)) {
    case meeting::RecordingService::RemoveResult::Removed:
      return jsonResponse(200, request.version(), {{"deleted", recordingId}});
    case meeting::RecordingService::RemoveResult::Running:
      return error(409, "the recording is running; stop it first", request.version());
    case meeting::RecordingService::RemoveResult::NotFound:
      break;
  }
  return error(404, "no such recording", request.version());
}

std::variant<Response, FileDownload> Router::recordingFile(const Request& request, const std::string& id,
                                                           const std::string& recordingId, const std::string& name,
                                                           const ClientInfo& client) {
  const auto record = rooms_.find(id);
  if (!record) return error(404, "no meeting with this code", request.version());
  if (auto denied = authorize(request, *record, client)) return std::move(*denied);
  const auto path = recordings_ ? recordings_->filePath(id, recordingId, name) : std::nullopt;
  if (!path) return error(404, "no such file in a finished recording", request.version());
  std::error_code failed;
  const std::uint64_t size = std::filesystem::file_size(*path, failed);
  if (failed) return error(404, "no such file in a finished recording", request.version());
  FileDownload download;
  download.path = *path;
  download.head = makeResponse(200, request.version(), "", contentTypeOf(name));
  download.head.set(beast_http::field::accept_ranges, "bytes");
  download.head.set(beast_http::field::content_disposition, "attachment; filename=\"" + name + "\"");
  download.head.set(beast_http::field::cache_control, "private, no-store");
  const auto range = parseByteRange(request[beast_http::field::range], size);
  if (std::holds_alternative<Unsatisfiable>(range)) {
    auto refused = error(416, "the range is outside the file", request.version());
    refused.set(beast_http::field::content_range, "bytes */" + std::to_string(size));
    return refused;
  }
  download.length = size;
  if (const auto* part = std::get_if<ByteRange>(&range)) {
    download.offset = part->offset;
    download.length = part->length;
    download.head.result(206);
    download.head.set(beast_http::field::content_range, "bytes " + std::to_string(part->offset) + "-" +
                                                            std::to_string(part->offset + part->length - 1) + "/" +
                                                            std::to_string(size));
  }
  download.head.content_length(download.length);
  return download;
}

std::optional<FileDownload> Router::download(const Request& request, const ClientInfo& client) {
  if (request.method() != beast_http::verb::get) return std::nullopt;
  const auto file = recordingFilePath(request.target());
  if (!file) return std::nullopt;
  auto answer = recordingFile(request, file->roomId, file->recordingId, file->name, client);
  auto* download = std::get_if<FileDownload>(&answer);
  if (!download) return std::nullopt;  // handle() answers with the error
  metrics().httpRequests++;
  download->head.keep_alive(request.keep_alive());
  return std::move(*download);
}

Response Router::recordingFileInMemory(const Request& request, const std::string& id, const std::string& recordingId,
                                       const std::string& name, const ClientInfo& client) {
  auto answer = recordingFile(request, id, recordingId, name, client);
  if (auto* response = std::get_if<Response>(&answer)) return std::move(*response);
  auto& download = std::get<FileDownload>(answer);
  Response response = std::move(download.head);
  if (request.method() == beast_http::verb::head) return response;
  if (download.length > kMaxInMemoryBytes) return error(500, "the file is sent by the connection", request.version());
  std::string body(download.length, '\0');
  std::ifstream in(download.path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(download.offset));
  in.read(body.data(), static_cast<std::streamsize>(body.size()));
  if (!in) return error(500, "the file could not be read", request.version());
  response.body() = std::move(body);
  response.content_length(download.length);
  return response;
}

std::optional<Router::RecordingFilePath> Router::recordingFilePath(std::string_view target) {
  // /api/rooms/{id}/recordings/{recording}/{file}
  constexpr std::string_view kPrefix = "/api/rooms/";
  target = target.substr(0, target.find('?'));
  if (!target.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = target.substr(kPrefix.size());
  std::vector<std::string_view> parts;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  if (parts.size() != 4 || parts[1] != "recordings") return std::nullopt;
  return RecordingFilePath{std::string(parts[0]), std::string(parts[2]), std::string(parts[3])};
}

}  // namespace parley::http
