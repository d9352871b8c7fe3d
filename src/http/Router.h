#pragma once
// Maps an HTTP request to a response: health, metrics, the REST API and the web client.
// Pure request-in, response-out; sockets live in HttpSession.
#include <boost/beast/http.hpp>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "http/AuthRoutes.h"
#include "http/ClientRateLimits.h"
#include "http/FileDownload.h"
#include "http/HttpPolicy.h"
#include "http/StaticFiles.h"
#include "signaling/RoomRegistry.h"

namespace parley::signaling {
class MeetingSummaries;
}
namespace parley::meeting {
class RecordingService;
}

namespace parley::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

inline constexpr std::size_t kMaxRequestBodyBytes = 64 * 1024;

class Router {
 public:
  // `extraMetrics` appends other layers' metrics (the media plane) to /metrics.
  Router(signaling::RoomRegistry& rooms, const StaticFiles& web, std::function<std::string()> extraMetrics = {});

  // `client` keys the per-address limits, and says whether it reached us over HTTPS.
  Response handle(const Request& request, const ClientInfo& client);
  // Routes whose answer may come later (sign-in waits for the identity provider): true if
  // the request is one of them, and `respond` then runs once on this thread, now or later.
  bool handleLater(const Request& request, const ClientInfo& client, const std::function<void(Response)>& respond);
  void setAuthRoutes(AuthRoutes* auth) { auth_ = auth; }
  // Who may create rooms: anyone, or only signed-in users.
  enum class RoomCreation { Anyone, SignedIn };
  void setRoomCreation(RoomCreation policy) { roomCreation_ = policy; }
  // Meeting summaries by a language model (/api/rooms/{id}/summary); null: none here.
  void setSummaries(signaling::MeetingSummaries* summaries) { summaries_ = summaries; }
  // Recordings (/api/rooms/{id}/recording, /recordings); null: none here.
  void setRecordings(meeting::RecordingService* recordings) { recordings_ = recordings; }
  // A request for a recording's file that may be sent (authorized, a range it has): what the
  // connection streams. Nothing otherwise: handle() then answers (the error, or HEAD).
  std::optional<FileDownload> download(const Request& request, const ClientInfo& client);
  // The signed-in user the request's session cookie names, if sign-in is on.
  std::optional<store::UserSessionRecord> signedInUser(const Request& request) {
    return auth_ ? auth_->user(request) : std::nullopt;
  }

  // The response for requests that could not be parsed at all.
  static Response error(unsigned status, std::string_view message, unsigned version = 11);

  // A path (without its query) below /api/rooms/: the room's id and what follows it ("" for
  // the room itself, else from its '/'); nullopt for any other path. The HTTP session relays
  // by the same split in a cluster.
  struct RoomApiPath {
    std::string_view id, sub;
  };
  static std::optional<RoomApiPath> roomApiPath(std::string_view path);

 private:
  Response createRoom(const Request& request, const ClientInfo& client);
  Response getRoom(const Request& request, const std::string& id, const ClientInfo& client);
  Response myRooms(const Request& request, const ClientInfo& client);
  Response transcription(const Request& request, const std::string& id, const ClientInfo& client);
  Response transcript(const Request& request, const std::string& id, std::string_view query, const ClientInfo& client);
  // GET: the latest transcription's summary (state, and the text in json or md); POST
  // {"action":"regenerate"}: written again. RouterSummary.cpp.
  Response summary(const Request& request, const std::string& id, std::string_view query, const ClientInfo& client);
  Response regenerateSummary(const Request& request, const std::string& id, const ClientInfo& client);
  // Recordings: POST {"action":"start"|"stop"}; the list; DELETE one; a file, with ranges.
  // RouterRecordings.cpp.
  Response recordingControl(const Request& request, const std::string& id, const ClientInfo& client);
  Response recordingList(const Request& request, const std::string& id, const ClientInfo& client);
  Response recordingRemove(const Request& request, const std::string& id, const std::string& recordingId,
                           const ClientInfo& client);
  std::variant<Response, FileDownload> recordingFile(const Request& request, const std::string& id,
                                                     const std::string& recordingId, const std::string& name,
                                                     const ClientInfo& client);
  // The file read into the response: HEAD, and small files where nothing streams (tests).
  Response recordingFileInMemory(const Request& request, const std::string& id, const std::string& recordingId,
                                 const std::string& name, const ClientInfo& client);
  struct RecordingFilePath {
    std::string roomId, recordingId, name;
  };
  static std::optional<RecordingFilePath> recordingFilePath(std::string_view target);
  // A room's moderator: the token from "Authorization: Bearer T", or the signed-in owner's
  // session cookie (state-changing requests then need a same-origin Origin). 401 if
  // neither, 403 if wrong.
  std::optional<Response> authorize(const Request& request, const store::RoomRecord& room, const ClientInfo& client);
  Response page(const Request& request, unsigned status, const ClientInfo& client);
  Response staticFile(const Request& request, std::string_view path);

  signaling::RoomRegistry& rooms_;
  const StaticFiles& web_;
  ClientRateLimits createLimits_{1.0, 30.0};  // 30 at once, then 1 a second
  ClientRateLimits lookupLimits_{5.0, 60.0};
  std::function<std::string()> extraMetrics_;
  AuthRoutes* auth_ = nullptr;
  RoomCreation roomCreation_ = RoomCreation::Anyone;
  signaling::MeetingSummaries* summaries_ = nullptr;
  meeting::RecordingService* recordings_ = nullptr;
};

// Headers every response carries: a strict CSP (no third-party anything) and friends.
void addSecurityHeaders(Response& response);

}  // namespace parley::http
