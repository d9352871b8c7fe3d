// The recording routes: who may start, list, download and delete, the byte ranges of a
// download, and what a server without --recordings says.
#include <gtest/gtest.h>

#include <deque>
#include <functional>

#include "http/ByteRange.h"
#include "http/RouterFixture.h"
#include "meeting/RecordingService.h"

namespace parley::http {
namespace {

namespace fs = std::filesystem;

class RouterRecordingsTest : public HttpRouterTest {
 protected:
  RouterRecordingsTest() {
    fs::create_directories(directory_);
    router.setRecordings(&service_);
    rooms.setRecordings(&service_);
  }
  ~RouterRecordingsTest() override {
    service_.drain();
    fs::remove_all(directory_);
  }
  std::pair<std::string, std::string> makeRoom() {
    const auto room = body(call(bhttp::verb::post, "/api/rooms", R"({"name":"Comité"})"));
    return {room["id"], room["moderator_token"]};
  }
  // A finished recording on disk, as the service leaves one: its state, manifest and a file.
  std::string finishedRecording(const std::string& roomId, const std::string& content) {
    const std::string id = "20261202-101500-abcd";
    const fs::path dir = fs::path(directory_) / roomId / id;
    fs::create_directories(dir);
    std::ofstream(dir / "state.json") << R"({"state":"stopped","startedAt":1764670500000,"stoppedAt":1764670560000})";
    std::ofstream(dir / "manifest.json")
        << R"({"version":1,"durationMs":60000,"tracks":[{"file":"1-alice-camera.webm","participant":"alice","source":"camera","kind":"video"}]})";
    std::ofstream(dir / "events.jsonl") << R"({"ms":0,"type":"join","participant":"alice","name":"Alice Martin"})" << '\n';
    std::ofstream(dir / "1-alice-camera.webm", std::ios::binary) << content;
    return id;
  }
  std::map<std::string, std::string> bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

  const std::string directory_ = "/tmp/parley-router-recordings-" + std::to_string(::getpid());
  static meeting::RecordingSettings settings(const std::string& directory, int retentionDays) {
    meeting::RecordingSettings made;
    made.directory = directory;
    made.retentionDays = retentionDays;
    made.maxRooms = 2;
    made.queueSlots = 1024;
    made.minFreeBytes = 0;  // whatever this machine's disk has left (the floor: RoomRecordingTest)
    return made;
  }
  meeting::RecordingService service_{settings(directory_, 0), nullptr, {}, {}};
};

TEST_F(RouterRecordingsTest, StartAndStopNeedTheModeratorAndAWellFormedBody) {
  const auto [id, token] = makeRoom();
  const std::string url = "/api/rooms/" + id + "/recording";
  EXPECT_EQ(call(bhttp::verb::post, url, R"({"action":"start"})").result_int(), 401);
  EXPECT_EQ(call(bhttp::verb::post, url, R"({"action":"start"})", bearer("nope")).result_int(), 403);
  EXPECT_EQ(call(bhttp::verb::post, url, R"({"action":"record"})", bearer(token)).result_int(), 400);
  EXPECT_EQ(call(bhttp::verb::get, url, "", bearer(token)).result_int(), 405);
  EXPECT_EQ(call(bhttp::verb::post, "/api/rooms/nope-nope-nop/recording", R"({"action":"start"})", bearer(token))
                .result_int(),
            404);

  const auto started = call(bhttp::verb::post, url, R"({"action":"start"})", bearer(token));
  ASSERT_EQ(started.result_int(), 200) << started.body();
  EXPECT_EQ(body(started)["active"], true);
  const std::string recordingId = body(started)["id"];
  EXPECT_EQ(body(call(bhttp::verb::post, url, R"({"action":"start"})", bearer(token)))["id"], recordingId)
      << "starting again keeps the recording that runs";
  const auto listed = body(call(bhttp::verb::get, "/api/rooms/" + id + "/recordings", "", bearer(token)));
  ASSERT_EQ(listed["recordings"].size(), 1u);
  EXPECT_EQ(listed["recordings"][0]["state"], "recording");
  EXPECT_EQ(listed["recording"], true);
  EXPECT_EQ(call(bhttp::verb::delete_, "/api/rooms/" + id + "/recordings/" + recordingId, "", bearer(token)).result_int(),
            409)
      << "a running recording is not deleted";

  EXPECT_EQ(body(call(bhttp::verb::post, url, R"({"action":"stop"})", bearer(token)))["active"], false);
  service_.drain();
  const auto after = body(call(bhttp::verb::get, "/api/rooms/" + id + "/recordings", "", bearer(token)));
  EXPECT_EQ(after["recordings"][0]["state"], "stopped");
}

TEST_F(RouterRecordingsTest, ALimitOfRoomsRecordingAtOnce) {
  std::vector<std::pair<std::string, std::string>> made = {makeRoom(), makeRoom(), makeRoom()};
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(call(bhttp::verb::post, "/api/rooms/" + made[i].first + "/recording", R"({"action":"start"})",
                   bearer(made[i].second))
                  .result_int(),
              200);
  }
  const auto refused = call(bhttp::verb::post, "/api/rooms/" + made[2].first + "/recording", R"({"action":"start"})",
                            bearer(made[2].second));
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_FALSE(refused[bhttp::field::retry_after].empty());
}

TEST_F(RouterRecordingsTest, FilesAreDownloadedWholeOrByRangeByModeratorsOnly) {
  const auto [id, token] = makeRoom();
  const std::string content = "0123456789abcdefghij";
  const std::string recordingId = finishedRecording(id, content);
  const auto listed = body(call(bhttp::verb::get, "/api/rooms/" + id + "/recordings", "", bearer(token)));
  ASSERT_EQ(listed["recordings"].size(), 1u);
  const auto& item = listed["recordings"][0];
  EXPECT_EQ(item["state"], "stopped");
  EXPECT_EQ(item["duration_ms"], 60000);
  EXPECT_EQ(item["size"], content.size());
  const std::string url = item["files"][0]["url"];
  EXPECT_EQ(url, "/api/rooms/" + id + "/recordings/" + recordingId + "/1-alice-camera.webm");
  EXPECT_EQ(item["files"][0]["participant_name"], "Alice Martin") << "named as in the meeting";

  EXPECT_EQ(call(bhttp::verb::get, url).result_int(), 401);
  EXPECT_EQ(call(bhttp::verb::get, url, "", bearer("nope")).result_int(), 403);
  EXPECT_EQ(call(bhttp::verb::get, "/api/rooms/" + id + "/recordings", "", bearer("nope")).result_int(), 403);

  const auto whole = call(bhttp::verb::get, url, "", bearer(token));
  ASSERT_EQ(whole.result_int(), 200);
  EXPECT_EQ(whole.body(), content);
  EXPECT_EQ(whole[bhttp::field::accept_ranges], "bytes");
  EXPECT_EQ(whole[bhttp::field::content_type], "video/webm");

  auto headers = bearer(token);
  headers["Range"] = "bytes=10-13";
  const auto part = call(bhttp::verb::get, url, "", headers);
  ASSERT_EQ(part.result_int(), 206);
  EXPECT_EQ(part.body(), "abcd");
  EXPECT_EQ(part[bhttp::field::content_range], "bytes 10-13/20");
  headers["Range"] = "bytes=-5";
  EXPECT_EQ(call(bhttp::verb::get, url, "", headers).body(), "fghij");
  headers["Range"] = "bytes=20-";
  const auto outside = call(bhttp::verb::get, url, "", headers);
  EXPECT_EQ(outside.result_int(), 416);
  EXPECT_EQ(outside[bhttp::field::content_range], "bytes */20");

  // The connection streams it: the router says which bytes of which file.
  Request request{bhttp::verb::get, url, 11};
  request.set(bhttp::field::host, "127.0.0.1:8080");
  request.set(bhttp::field::authorization, "Bearer " + token);
  request.set(bhttp::field::range, "bytes=2-");
  const auto download = router.download(request, local());
  ASSERT_TRUE(download);
  EXPECT_EQ(download->offset, 2u);
  EXPECT_EQ(download->length, 18u);
  EXPECT_EQ(download->head.result_int(), 206);
  request.set(bhttp::field::authorization, "Bearer nope");
  EXPECT_FALSE(router.download(request, local())) << "refused: handle() answers 403";

  // Names that could leave the directory, or files not in the manifest, are not found.
  for (const std::string bad : {"..%2Fstate.json", "state.json", "manifest.json", ".reserve"}) {
    EXPECT_EQ(call(bhttp::verb::get, "/api/rooms/" + id + "/recordings/" + recordingId + "/" + bad, "", bearer(token))
                  .result_int(),
              404)
        << bad;
  }
  EXPECT_EQ(call(bhttp::verb::delete_, "/api/rooms/" + id + "/recordings/" + recordingId, "", bearer("nope")).result_int(),
            403);
  EXPECT_EQ(call(bhttp::verb::delete_, "/api/rooms/" + id + "/recordings/" + recordingId, "", bearer(token)).result_int(),
            200);
  EXPECT_EQ(call(bhttp::verb::get, url, "", bearer(token)).result_int(), 404);
  EXPECT_TRUE(body(call(bhttp::verb::get, "/api/rooms/" + id + "/recordings", "", bearer(token)))["recordings"].empty());
}

TEST_F(RouterRecordingsTest, RecordingsOlderThanTheRetentionAreDeleted) {
  const auto [id, token] = makeRoom();
  finishedRecording(id, "x");  // started on 2025-12-02
  meeting::RecordingService keepAYear(settings(directory_, 365), nullptr, {}, {});
  EXPECT_EQ(keepAYear.expire(1764670500000 + 100LL * 24 * 3600 * 1000), 0u);
  EXPECT_EQ(keepAYear.expire(1764670500000 + 366LL * 24 * 3600 * 1000), 1u);
  EXPECT_TRUE(keepAYear.list(id).empty());
}

// The plain fixture: a server started without --recordings.
TEST_F(HttpRouterTest, AServerWithoutRecordingsSaysSo) {
  const auto room = body(call(bhttp::verb::post, "/api/rooms"));
  const auto answer = call(bhttp::verb::post, "/api/rooms/" + room["id"].get<std::string>() + "/recording",
                           R"({"action":"start"})", {{"Authorization", "Bearer " + room["moderator_token"].get<std::string>()}});
  EXPECT_EQ(answer.result_int(), 503);
  EXPECT_NE(answer.body().find("--recordings"), std::string::npos);
}

TEST(ByteRange, OneRangeOfBytesIsServedAndTheRestIgnored) {
  auto range = [](std::string_view header, std::uint64_t size) { return parseByteRange(header, size); };
  auto part = [](const auto& v) { return std::get<ByteRange>(v); };
  EXPECT_EQ(part(range("bytes=0-99", 1000)).length, 100u);
  EXPECT_EQ(part(range("bytes=990-", 1000)).offset, 990u);
  EXPECT_EQ(part(range("bytes=990-", 1000)).length, 10u);
  EXPECT_EQ(part(range("bytes=990-5000", 1000)).length, 10u);
  EXPECT_EQ(part(range("bytes=-10", 1000)).offset, 990u);
  EXPECT_EQ(part(range("bytes=-5000", 1000)).length, 1000u);
  EXPECT_TRUE(std::holds_alternative<Unsatisfiable>(range("bytes=1000-", 1000)));
  EXPECT_TRUE(std::holds_alternative<Unsatisfiable>(range("bytes=-0", 1000)));
  for (const char* ignored : {"", "items=0-1", "bytes=0-1,5-6", "bytes=5-1", "bytes=a-b", "bytes=-", "bytes=0",
                              "bytes=99999999999999999999-"}) {
    EXPECT_TRUE(std::holds_alternative<WholeFile>(range(ignored, 1000))) << ignored;
  }
}

}  // namespace
}  // namespace parley::http
