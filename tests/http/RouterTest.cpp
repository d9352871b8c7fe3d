// The REST API and pages as the Router answers them, request in, response out: the fields
// the API promises, its limits, its authorisation, and the page rules (device cookie,
// no cross-site autojoin).
#include "http/RouterFixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <deque>
#include <mutex>
#include <regex>
#include <thread>

#include "auth/SignInService.h"
#include "meeting/SummaryService.h"
#include "signaling/MeetingSummaries.h"
#include "common/Text.h"
#include "signaling/SignalingSession.h"
#include "store/SqliteRoomStore.h"

namespace parley::http {


TEST_F(HttpRouterTest, CreatingARoomAnswersEveryPromisedField) {
  const auto r = call(bhttp::verb::post, "/api/rooms", R"({"name":"Comité"})");
  ASSERT_EQ(r.result_int(), 201);
  const auto room = body(r);
  EXPECT_TRUE(std::regex_match(room["id"].get<std::string>(), std::regex("[a-z]{3}-[a-z]{4}-[a-z]{3}")));
  EXPECT_EQ(room["name"], "Comité");
  EXPECT_EQ(room["url"], "http://127.0.0.1:8080/r/" + room["id"].get<std::string>());
  EXPECT_GE(room["moderator_token"].get<std::string>().size(), 40u);
  EXPECT_TRUE(std::regex_match(room["created_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")));
  // Behind a trusted TLS proxy, links are https.
  const auto tls = call(bhttp::verb::post, "/api/rooms", "", {}, {boost::asio::ip::make_address("10.0.0.9"), true});
  EXPECT_EQ(body(tls)["url"].get<std::string>().rfind("https://127.0.0.1:8080/r/", 0), 0u);
  for (const char* bad : {"not json", "[1]", R"({"name": 5})", R"({"name": "a\u0001b"})"}) {
    EXPECT_EQ(call(bhttp::verb::post, "/api/rooms", bad).result_int(), 400) << bad;
  }
}

TEST_F(HttpRouterTest, RoomCreationIsRateLimitedPerClient) {
  int created = 0;
  Response last;
  for (int i = 0; i < 40; ++i) {
    last = call(bhttp::verb::post, "/api/rooms");
    if (last.result_int() == 201) ++created;
    else break;
  }
  EXPECT_EQ(created, 30) << "a burst of 30, then 1 a second";
  EXPECT_EQ(last.result_int(), 429);
  EXPECT_FALSE(last[bhttp::field::retry_after].empty());
  EXPECT_EQ(call(bhttp::verb::post, "/api/rooms", "", {}, {boost::asio::ip::make_address("127.0.0.2"), false}).result_int(),
            201)
      << "another client is not affected";
}

TEST_F(HttpRouterTest, WhoIsInARoomIsForItsModeratorsOnly) {
  const auto room = body(call(bhttp::verb::post, "/api/rooms", R"({"name":"Hebdo"})"));
  const std::string id = room["id"], token = room["moderator_token"];
  NullPeer peer;
  signaling::SignalingSession ana(rooms, id, peer);
  ana.onFrame(R"({"type":"join","version":1,"name":"Ana"})", 1000);
  ana.onFrame(R"({"type":"media-state","audio_muted":true})", 1000);

  const auto open = body(call(bhttp::verb::get, "/api/rooms/" + id));
  EXPECT_EQ(open["id"], id);
  EXPECT_EQ(open["name"], "Hebdo");
  EXPECT_EQ(open["participant_count"], 1);
  EXPECT_FALSE(open.contains("participants"));
  EXPECT_FALSE(open.contains("moderator_token"));

  const auto moderator = body(call(bhttp::verb::get, "/api/rooms/" + id, "", {{"Authorization", "Bearer " + token}}));
  ASSERT_EQ(moderator["participants"].size(), 1u);
  const auto& p = moderator["participants"][0];
  EXPECT_EQ(p["id"], ana.participantId());
  EXPECT_EQ(p["name"], "Ana");
  EXPECT_EQ(p["role"], "member");
  EXPECT_TRUE(p["joined_at"].is_string());
  EXPECT_EQ(p["hand_raised"], false);
  EXPECT_EQ(p["audio_muted"], true);
  EXPECT_EQ(p["video_muted"], false);
  EXPECT_EQ(call(bhttp::verb::get, "/api/rooms/" + id, "", {{"Authorization", "Bearer nope"}}).result_int(), 403);
  EXPECT_EQ(call(bhttp::verb::get, "/api/rooms/zzz-zzzz-zzz").result_int(), 404);
}

TEST_F(HttpRouterTest, RoomLookupsAreRateLimited) {
  int answered = 0;
  for (int i = 0; i < 100; ++i) {
    if (call(bhttp::verb::get, "/api/rooms/zzz-zzzz-zzz").result_int() == 429) break;
    ++answered;
  }
  EXPECT_EQ(answered, 60) << "a burst of 60 guesses, then 5 a second";
}

TEST_F(HttpRouterTest, TranscriptionNeedsTheTokenAWellFormedBodyAndAServerThatCan) {
  const auto room = body(call(bhttp::verb::post, "/api/rooms"));
  const std::string id = room["id"], token = room["moderator_token"];
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}};
  const std::string target = "/api/rooms/" + id + "/transcription";
  EXPECT_EQ(call(bhttp::verb::post, target, R"({"action":"start"})").result_int(), 401);
  EXPECT_EQ(call(bhttp::verb::post, target, R"({"action":"start"})", {{"Authorization", "Bearer x"}}).result_int(), 403);
  for (const char* bad : {"", "nope", "[]", "{}", R"({"action":"pause"})", R"({"action":1})"}) {
    const auto r = call(bhttp::verb::post, target, bad, auth);
    EXPECT_EQ(r.result_int(), 400) << bad;
    EXPECT_NE(body(r)["error"].get<std::string>().find("action"), std::string::npos);
  }
  // This router's server has no transcription service.
  EXPECT_EQ(call(bhttp::verb::post, target, R"({"action":"start"})", auth).result_int(), 503);
  EXPECT_EQ(call(bhttp::verb::get, target).result_int(), 405);
  EXPECT_EQ(call(bhttp::verb::post, "/api/rooms/zzz-zzzz-zzz/transcription", R"({"action":"start"})", auth).result_int(),
            404);
}

TEST_F(HttpRouterTest, TranscriptsComeInEveryPromisedFormat) {
  const auto room = body(call(bhttp::verb::post, "/api/rooms"));
  const std::string id = room["id"];
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + room["moderator_token"].get<std::string>()}};
  const std::string target = "/api/rooms/" + id + "/transcript";
  const auto never = call(bhttp::verb::get, target, "", auth);
  EXPECT_EQ(never.result_int(), 404);
  EXPECT_NE(body(never)["error"].get<std::string>().find("not been transcribed"), std::string::npos);

  const auto transcription = store.startTranscription(id, 1000);
  store.addTranscriptSegment(transcription, {1500, 3250, "p1", "Ana", "bonjour à tous"});
  store.addTranscriptSegment(transcription, {4000, 5000, "p2", "Bruno", "salut", /*guest=*/true});
  const auto j = call(bhttp::verb::get, target + "?format=json", "", auth);
  ASSERT_EQ(j.result_int(), 200);
  const auto doc = body(j);
  EXPECT_EQ(doc["room"], id);
  EXPECT_TRUE(doc["stopped_at"].is_null());
  ASSERT_EQ(doc["segments"].size(), 2u);
  EXPECT_EQ(doc["segments"][0]["speaker"]["name"], "Ana");
  EXPECT_EQ(doc["segments"][0]["speaker"]["guest"], false);
  EXPECT_EQ(doc["segments"][1]["speaker"]["guest"], true);
  EXPECT_DOUBLE_EQ(doc["segments"][0]["start"].get<double>(), 1.5);
  EXPECT_EQ(call(bhttp::verb::get, target, "", auth).body(), j.body()) << "json is the default";

  const auto srt = call(bhttp::verb::get, target + "?format=srt", "", auth);
  ASSERT_EQ(srt.result_int(), 200);
  EXPECT_EQ(srt[bhttp::field::content_type], "application/x-subrip; charset=utf-8");
  EXPECT_NE(srt.body().find("00:00:01,500 --> 00:00:03,250"), std::string::npos) << srt.body();
  EXPECT_NE(srt.body().find("Ana: bonjour à tous"), std::string::npos) << srt.body();
  EXPECT_NE(std::string(srt[bhttp::field::content_disposition]).find("transcript-" + id + ".srt"), std::string::npos);
  const auto vtt = call(bhttp::verb::get, target + "?format=vtt", "", auth);
  EXPECT_EQ(vtt.body().rfind("WEBVTT", 0), 0u);
  EXPECT_NE(vtt.body().find("<v Bruno (guest)>salut"), std::string::npos) << vtt.body();
  EXPECT_NE(call(bhttp::verb::get, target + "?format=md", "", auth).body().find("**Ana**"), std::string::npos);
  for (const char* format : {"txt", "rttm", "docx", ""}) {
    EXPECT_EQ(call(bhttp::verb::get, target + "?format=" + format, "", auth).result_int(), 400) << format;
  }
  EXPECT_EQ(call(bhttp::verb::get, target + "?format=srt").result_int(), 401);
}

// Summaries: the state while there is none, the refusals, then one written by a model (a
// function here: the chat client has its own tests), in both formats; a model that fails
// leaves the transcript as it was and says why.
TEST_F(HttpRouterTest, SummariesAreAskedForReadAndFailClearly) {
  const auto room = body(call(bhttp::verb::post, "/api/rooms"));
  const std::string id = room["id"];
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + room["moderator_token"].get<std::string>()}};
  const std::string target = "/api/rooms/" + id + "/summary";
  const std::string regenerate = R"({"action":"regenerate"})";
  EXPECT_EQ(call(bhttp::verb::get, target, "", auth).result_int(), 404) << "never transcribed";
  const auto transcription = store.startTranscription(id, 1000);
  store.addTranscriptSegment(transcription, {1500, 3250, "p1", "Ana", "on valide le budget"});
  const auto none = call(bhttp::verb::get, target, "", auth);
  ASSERT_EQ(none.result_int(), 200);
  EXPECT_EQ(body(none)["state"], "none");
  EXPECT_EQ(body(none)["enabled"], false);
  EXPECT_EQ(call(bhttp::verb::post, target, regenerate, auth).result_int(), 503) << "no model on this server";

  // A model, and a control thread played by this test.
  std::deque<std::function<void()>> control;
  bool fail = false;
  meeting::SummaryService service(
      [&](const std::vector<summary::ChatMessage>& messages, const std::atomic<bool>&,
          const std::function<void(const std::string&)>&) -> std::string {
        if (fail) throw summary::ChatError("the language model at http://llm failed: HTTP 500");
        EXPECT_NE(messages[1].content.find("Ana: on valide le budget"), std::string::npos);
        return R"({"overview":"Le budget est validé.","decisions":["budget validé"],"action_items":[]})";
      },
      [&](std::function<void()> task) {
        std::lock_guard lock(controlMutex_);
        control.push_back(std::move(task));
      },
      [&](const meeting::SummaryReport& report) { summaries_->onReport(report, 5000); });
  signaling::MeetingSummaries summaries(rooms, &service, "fr", "albert-large");
  summaries_ = &summaries;
  router.setSummaries(&summaries);
  // Runs what the service posted until the summary is no longer pending.
  auto settle = [&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      std::function<void()> task;
      {
        std::lock_guard lock(controlMutex_);
        if (!control.empty()) {
          task = std::move(control.front());
          control.pop_front();
        }
      }
      if (task) {
        task();
        continue;
      }
      const auto saved = store.summaryOf(transcription);
      if ((saved && saved->state != "pending") || std::chrono::steady_clock::now() > deadline) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  EXPECT_EQ(call(bhttp::verb::post, target, regenerate, auth).result_int(), 409) << "still transcribing";
  store.stopTranscription(transcription, 2000);
  EXPECT_EQ(call(bhttp::verb::post, target, R"({"action":"start"})", auth).result_int(), 400);
  EXPECT_EQ(call(bhttp::verb::post, target, regenerate).result_int(), 401);
  EXPECT_EQ(call(bhttp::verb::post, target, regenerate, {{"Authorization", "Bearer wrong"}}).result_int(), 403);
  EXPECT_EQ(call(bhttp::verb::get, target + "?format=md", "", auth).result_int(), 409) << "not written yet";
  const auto asked = call(bhttp::verb::post, target, regenerate, auth);
  ASSERT_EQ(asked.result_int(), 202);
  EXPECT_EQ(body(asked)["state"], "pending");
  settle();
  const auto done = call(bhttp::verb::get, target, "", auth);
  ASSERT_EQ(done.result_int(), 200);
  const auto doc = body(done);
  EXPECT_EQ(doc["state"], "done");
  EXPECT_EQ(doc["model"], "albert-large");
  EXPECT_EQ(doc["language"], "fr");
  EXPECT_EQ(doc["summary"]["overview"], "Le budget est validé.");
  EXPECT_EQ(doc["summary"]["participants"], json({"Ana"}));
  const auto md = call(bhttp::verb::get, target + "?format=md", "", auth);
  ASSERT_EQ(md.result_int(), 200);
  EXPECT_EQ(md[bhttp::field::content_type], "text/markdown; charset=utf-8");
  EXPECT_NE(md.body().find("## Décisions\n\n- budget validé\n"), std::string::npos) << md.body();
  EXPECT_EQ(call(bhttp::verb::get, target + "?format=docx", "", auth).result_int(), 400);
  EXPECT_EQ(call(bhttp::verb::get, target + "?format=md").result_int(), 401);

  // A model that fails: the reason is kept, the earlier summary and the transcript stay.
  const auto transcriptBefore = call(bhttp::verb::get, "/api/rooms/" + id + "/transcript", "", auth).body();
  fail = true;
  ASSERT_EQ(call(bhttp::verb::post, target, regenerate, auth).result_int(), 202);
  settle();
  const auto failed = body(call(bhttp::verb::get, target, "", auth));
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_NE(failed["error"].get<std::string>().find("HTTP 500"), std::string::npos) << failed;
  EXPECT_EQ(failed["summary"]["overview"], "Le budget est validé.") << "the last good summary is still there";
  EXPECT_EQ(call(bhttp::verb::get, "/api/rooms/" + id + "/transcript", "", auth).body(), transcriptBefore);
  router.setSummaries(nullptr);
  summaries_ = nullptr;
}

TEST_F(HttpRouterTest, PagesGiveADeviceCookieAndNeverAutojoinFromAnotherSite) {
  const auto room = body(call(bhttp::verb::post, "/api/rooms"));
  const std::string page = "/r/" + room["id"].get<std::string>();
  const auto first = call(bhttp::verb::get, page);
  ASSERT_EQ(first.result_int(), 200);
  const std::string cookie(first[bhttp::field::set_cookie]);
  EXPECT_TRUE(std::regex_search(cookie, std::regex("^parley_device=[A-Za-z0-9_-]{16,};"))) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_TRUE(call(bhttp::verb::get, page, "", {{"Cookie", "a=1; parley_device=abc"}})[bhttp::field::set_cookie].empty());

  // A link on another site: the page comes without autojoin (a click will be needed).
  const auto crossSite = call(bhttp::verb::get, page + "?name=Ana&autojoin=1", "", {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(crossSite.result_int(), 303);
  EXPECT_EQ(crossSite[bhttp::field::location], page + "?name=Ana");
  EXPECT_EQ(call(bhttp::verb::get, page + "?autojoin=1", "", {{"Sec-Fetch-Site", "cross-site"}})[bhttp::field::location],
            page);
  // Our own links, typed addresses and tools join at once; a name that merely says
  // "autojoin" is not an autojoin.
  for (const char* site : {"same-origin", "none"}) {
    EXPECT_EQ(call(bhttp::verb::get, page + "?name=Ana&autojoin=1", "", {{"Sec-Fetch-Site", site}}).result_int(), 200);
  }
  EXPECT_EQ(call(bhttp::verb::get, page + "?name=autojoin", "", {{"Sec-Fetch-Site", "cross-site"}}).result_int(), 200);
  EXPECT_EQ(call(bhttp::verb::get, "/r/zzz-zzzz-zzz").result_int(), 404);
}

TEST_F(HttpRouterTest, HealthMetricsMethodsAndUnknownPaths) {
  EXPECT_EQ(call(bhttp::verb::get, "/healthz").body(), "ok");
  EXPECT_EQ(call(bhttp::verb::delete_, "/healthz").result_int(), 405);
  EXPECT_EQ(call(bhttp::verb::get, "/api/rooms").result_int(), 405);
  const auto metrics = call(bhttp::verb::get, "/metrics");
  EXPECT_NE(metrics.body().find("# TYPE parley_rooms_active gauge"), std::string::npos);
  for (const char* path : {"/nowhere", "/api/nothing", "/api/rooms/abc-defg-hij/else"}) {
    const auto r = call(bhttp::verb::get, path);
    EXPECT_EQ(r.result_int(), 404) << path;
    EXPECT_EQ(r[bhttp::field::content_type], "application/json");
  }
  // The accessibility statement is one of the client's pages.
  EXPECT_EQ(call(bhttp::verb::get, "/accessibility", "", {{"Accept", "text/html"}}).result_int(), 200);
  // A browser that follows a wrong link gets the client's page, which explains, with the 404.
  const auto page = call(bhttp::verb::get, "/nowhere", "", {{"Accept", "text/html,application/xhtml+xml"}});
  EXPECT_EQ(page.result_int(), 404);
  EXPECT_NE(std::string(page[bhttp::field::content_type]).find("text/html"), std::string::npos);
  EXPECT_EQ(call(bhttp::verb::get, "/api/nothing", "", {{"Accept", "text/html"}})[bhttp::field::content_type],
            "application/json");
  const auto asset = call(bhttp::verb::get, "/assets/app-1234.js");
  EXPECT_EQ(asset.result_int(), 200);
  EXPECT_NE(std::string(asset[bhttp::field::cache_control]).find("immutable"), std::string::npos);
  EXPECT_NE(std::string(call(bhttp::verb::get, "/")["Content-Security-Policy"]).find("default-src 'self'"),
            std::string::npos);
  EXPECT_TRUE(call(bhttp::verb::head, "/").body().empty());
}

}  // namespace parley::http

namespace parley::http {

namespace {
// A router on a server with sign-in: sessions are real rows in the store, as a completed
// sign-in leaves them (the provider itself is exercised in tests/e2e/signin.test.mjs).
class SignedInRouterTest : public HttpRouterTest {
 protected:
  SignedInRouterTest() {
    rooms.setSignInEnabled(true);
    router.setAuthRoutes(&auth);
    router.setRoomCreation(Router::RoomCreation::SignedIn);
    for (const auto& [cookie, subject, name] : {std::tuple{"ana-session", "ana", "Ana Martin"},
                                                std::tuple{"bruno-session", "bruno", "Bruno Durand"}}) {
      store.createUserSession({parley::sha256Hex(cookie), "https://idp.test", subject, name, "", "", 0, 1LL << 50, {}});
    }
  }
  static std::map<std::string, std::string> as(const std::string& session, const std::string& origin = {}) {
    std::map<std::string, std::string> headers{{"Cookie", "parley_session=" + session}};
    if (!origin.empty()) headers["Origin"] = origin;
    return headers;
  }

  static auth::OidcSettings settings() {
    auth::OidcSettings oidc;
    oidc.issuer = "https://idp.test";
    oidc.clientId = "parley";
    oidc.clientSecret = "secret";
    oidc.redirectUri = "http://127.0.0.1:8080/auth/callback";
    return oidc;
  }
  auth::SignInService signIn{settings(), store, [](std::function<void()>) {}};
  AuthRoutes auth{&signIn};
};
}  // namespace

TEST_F(SignedInRouterTest, OnlySignedInUsersCreateRoomsAndTheyOwnThem) {
  const auto anonymous = call(bhttp::verb::post, "/api/rooms", R"({"name":"Nope"})");
  EXPECT_EQ(anonymous.result_int(), 401u);
  EXPECT_EQ(call(bhttp::verb::post, "/api/rooms", "{}", as("forged-session")).result_int(), 401u);
  // Another site cannot create rooms with the user's cookie.
  EXPECT_EQ(call(bhttp::verb::post, "/api/rooms", "{}", as("ana-session", "https://evil.example")).result_int(), 403u);

  const auto created = call(bhttp::verb::post, "/api/rooms", R"({"name":"Budget"})", as("ana-session", "http://127.0.0.1:8080"));
  ASSERT_EQ(created.result_int(), 201u) << created.body();
  EXPECT_EQ(body(created)["owned"], true);
  EXPECT_EQ(body(created)["access"], "trusted") << "with sign-in, guests wait by default";
  const std::string id = body(created)["id"];
  EXPECT_EQ(store.findRoom(id)->ownerSubject, "ana");
  const auto restricted = call(bhttp::verb::post, "/api/rooms", R"({"access":"restricted"})", as("ana-session"));
  EXPECT_EQ(body(restricted)["access"], "restricted");
  EXPECT_EQ(call(bhttp::verb::post, "/api/rooms", R"({"access":"everyone"})", as("ana-session")).result_int(), 400u);

  // Her rooms, newest first; nobody else's.
  const auto mine = call(bhttp::verb::get, "/api/me/rooms", {}, as("ana-session"));
  ASSERT_EQ(mine.result_int(), 200u);
  ASSERT_EQ(body(mine)["rooms"].size(), 2u);
  EXPECT_EQ(body(mine)["rooms"][1]["id"], id);
  EXPECT_EQ(body(mine)["rooms"][1]["name"], "Budget");
  EXPECT_EQ(body(mine)["rooms"][1]["url"], "http://127.0.0.1:8080/r/" + id);
  EXPECT_TRUE(body(call(bhttp::verb::get, "/api/me/rooms", {}, as("bruno-session")))["rooms"].empty());
  EXPECT_EQ(call(bhttp::verb::get, "/api/me/rooms").result_int(), 401u);

  // The owner's session stands for the moderator token; another user's does not.
  EXPECT_EQ(call(bhttp::verb::get, "/api/rooms/" + id + "/transcript", {}, as("ana-session")).result_int(), 404u)
      << "authorised: nothing transcribed yet";
  EXPECT_EQ(call(bhttp::verb::get, "/api/rooms/" + id + "/transcript", {}, as("bruno-session")).result_int(), 401u);
  EXPECT_TRUE(body(call(bhttp::verb::get, "/api/rooms/" + id, {}, as("ana-session"))).contains("participants"));
  EXPECT_FALSE(body(call(bhttp::verb::get, "/api/rooms/" + id, {}, as("bruno-session"))).contains("participants"));
  EXPECT_EQ(call(bhttp::verb::post, "/api/rooms/" + id + "/transcription", R"({"action":"start"})",
                 as("ana-session", "https://evil.example")).result_int(), 403u);

  // A revoked session is nobody.
  store.revokeUserSession(parley::sha256Hex("ana-session"), 5);
  EXPECT_EQ(call(bhttp::verb::get, "/api/me/rooms", {}, as("ana-session")).result_int(), 401u);
}

TEST_F(SignedInRouterTest, RoomCreationCanBeOpenToAnyone) {
  router.setRoomCreation(Router::RoomCreation::Anyone);
  const auto created = call(bhttp::verb::post, "/api/rooms", "{}");
  ASSERT_EQ(created.result_int(), 201u);
  EXPECT_EQ(body(created)["owned"], false);
}

}  // namespace parley::http
