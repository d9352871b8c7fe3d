// Meeting summaries: our side of the contract with an OpenAI-compatible chat completions
// server (a fake one: a language model's weights cannot be shipped here), the cutting of a
// two-hour transcript so that nothing is lost to the model's context, the document, and
// the service that runs it all off the control thread.
#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>

#include "FakeHttpServer.h"
#include "meeting/SummaryService.h"
#include "summary/ChatCompletions.h"
#include "summary/MeetingSummary.h"
#include "summary/Summarizer.h"
#include "summary/SummaryPrompts.h"

namespace parley::summary {

namespace {

using nlohmann::json;

std::string answer(const std::string& content) {
  return json{{"id", "x"}, {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}}}}}
      .dump();
}

ChatSettings fast(const std::string& url) {
  ChatSettings s;
  s.url = url;
  s.model = "albert-large";
  s.apiKey = "sekret";
  s.firstBackoff = std::chrono::milliseconds(1);
  s.timeout = std::chrono::seconds(1);
  return s;
}

// A meeting of `minutes`, a line every 8 s, four speakers taking turns; each line says
// its own number so that the test can find every one of them again.
std::vector<TranscriptLine> meeting(int minutes) {
  const char* names[] = {"Ana", "Bruno", "Chloé", "Dimitri"};
  std::vector<TranscriptLine> lines;
  for (int i = 0; i * 8 < minutes * 60; ++i) {
    lines.push_back({i * 8.0, names[i % 4],
                     "ligne " + std::to_string(i) + " : nous examinons le budget du service et les délais de la "
                     "consultation publique, puis la répartition des tâches pour la semaine prochaine"});
  }
  return lines;
}

const std::string kSummaryJson = R"({"overview":"Budget review.","main_points":["the budget"],
  "decisions":["the consultation closes on 12 March"],
  "action_items":[{"owner":"Ana","task":"send the note"},{"owner":null,"task":"book a room"}]})";

}  // namespace

TEST(ChatCompletions, AsksTheModelInTheStandardShape) {
  const auto base = buildChatRequest(fast("x"), fetch::parseUrl("https://albert.example.gouv.fr/api"),
                                     {{"system", "be brief"}, {"user", "résumé"}});
  EXPECT_EQ(base.target, "/api/v1/chat/completions");
  const auto body = json::parse(base.body);
  EXPECT_EQ(body["model"], "albert-large");
  EXPECT_EQ(body["stream"], false);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][1]["content"], "résumé");
  const auto full = buildChatRequest(fast("x"), fetch::parseUrl("http://llm:8000/v1/chat/completions"), {});
  EXPECT_EQ(full.target, "/v1/chat/completions") << "a full endpoint is used as given";
  EXPECT_EQ(parseChatResponse(answer("bonjour")), "bonjour");
  EXPECT_THROW(parseChatResponse("{}"), ChatError);
  EXPECT_THROW(parseChatResponse("<html>"), ChatError);
  EXPECT_THROW(parseChatResponse(R"({"choices":[{"message":{"content":null}}]})"), ChatError);
  // Found by SummaryAnswerFuzzer: a message without content (was a read past a missing key).
  EXPECT_THROW(parseChatResponse(R"({"choices":[{"message":{"role":"assistant"}}]})"), ChatError);
  EXPECT_THROW(parseChatResponse(R"({"choices":[7]})"), ChatError);
}

TEST(ChatCompletions, RetriesServerErrorsAndTimeoutsThenAnswers) {
  testing::FakeHttpServer server({{500, "overloaded"}, {0, ""}, {200, answer("les points")}});
  const ChatCompletions client(fast(server.url()));
  std::vector<std::string> failures;
  const auto text = client.complete({{"user", "résume"}}, nullptr, [&](const std::string& e) { failures.push_back(e); });
  EXPECT_EQ(text, "les points");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].target(), "/v1/chat/completions");
  EXPECT_EQ(requests[0][boost::beast::http::field::authorization], "Bearer sekret");
  EXPECT_EQ(requests[0][boost::beast::http::field::content_type], "application/json");
  EXPECT_EQ(json::parse(requests[2].body())["messages"][0]["content"], "résume");
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_NE(failures[0].find("HTTP 500"), std::string::npos) << failures[0];
  EXPECT_EQ(failures[1].find("HTTP"), std::string::npos) << "the second was a timeout: " << failures[1];
}

TEST(ChatCompletions, ClientErrorsAreNotRetriedAndTheLastErrorIsSaid) {
  {
    testing::FakeHttpServer server({{400, R"({"error":"context length exceeded"})"}});
    const ChatCompletions client(fast(server.url()));
    try {
      client.complete({{"user", "x"}});
      FAIL() << "a 400 is an error";
    } catch (const ChatError& e) {
      EXPECT_NE(std::string(e.what()).find("context length exceeded"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.requests().size(), 1u);
  }
  testing::FakeHttpServer server({{503, "busy"}, {503, "busy"}});
  auto settings = fast(server.url());
  settings.attempts = 2;
  const ChatCompletions client(settings);
  EXPECT_THROW(client.complete({{"user", "x"}}), ChatError);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(SummaryPrompts, ATwoHourTranscriptIsCutIntoPartsAndNothingIsLeftOut) {
  const auto lines = meeting(120);
  ASSERT_EQ(lines.size(), 900u);
  const auto parts = transcriptParts(lines, 24000);
  EXPECT_GE(parts.size(), 5u);
  std::string all;
  for (const auto& part : parts) {
    EXPECT_LE(part.size(), 24000u);
    EXPECT_EQ(part.back(), '\n') << "parts end between lines";
    all += part;
  }
  std::size_t at = 0;
  for (const auto& line : lines) {
    at = all.find(line.speaker + ": " + line.text + "\n", at);
    ASSERT_NE(at, std::string::npos) << "lost: " << line.text;
  }
  EXPECT_NE(all.find("[01:59:52] Dimitri: ligne 899"), std::string::npos);
  // A line longer than a part is cut between words, not dropped.
  const auto cut = transcriptParts({{0, "Ana", std::string(50, 'a') + " " + std::string(50, 'b')}}, 60);
  ASSERT_GE(cut.size(), 2u);
  std::string joined;
  for (const auto& part : cut) {
    EXPECT_LE(part.size(), 60u);
    joined += part;
  }
  EXPECT_NE(joined.find(std::string(50, 'a')), std::string::npos) << joined;
  EXPECT_NE(joined.find(std::string(50, 'b') + "\n"), std::string::npos) << joined;
}

TEST(Summarizer, AShortMeetingIsSummarisedInOneRequestWithItsSpeakers) {
  std::vector<std::vector<ChatMessage>> asked;
  const Summarizer summarizer([&](const std::vector<ChatMessage>& m) {
    asked.push_back(m);
    return "```json\n" + kSummaryJson + "\n```";
  });
  const auto summary = summarizer.summarize(meeting(5), "fr");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0][0].role, "system");
  EXPECT_NE(asked[0][0].content.find("français"), std::string::npos);
  const auto& user = asked[0][1].content;
  EXPECT_NE(user.find("Participants : Ana, Bruno, Chloé, Dimitri."), std::string::npos) << user;
  EXPECT_NE(user.find("[00:00:08] Bruno: ligne 1 "), std::string::npos) << user;
  EXPECT_NE(user.find("\"action_items\""), std::string::npos);
  EXPECT_EQ(summary.overview, "Budget review.");
  EXPECT_EQ(summary.decisions, std::vector<std::string>{"the consultation closes on 12 March"});
  ASSERT_EQ(summary.actionItems.size(), 2u);
  EXPECT_EQ(summary.actionItems[0].owner, "Ana");
  EXPECT_EQ(summary.actionItems[1].owner, "");
  EXPECT_EQ(summary.participants, (std::vector<std::string>{"Ana", "Bruno", "Chloé", "Dimitri"}));
}

TEST(Summarizer, ATwoHourMeetingIsSummarisedFromNotesOnEveryPart) {
  std::vector<std::string> asked;
  std::vector<SummaryProgress> steps;
  const Summarizer summarizer([&](const std::vector<ChatMessage>& m) {
    asked.push_back(m[1].content);
    if (m[1].content.find("Here is part ") == 0) return "notes on " + m[1].content.substr(13, 3);
    return kSummaryJson;
  });
  const auto summary =
      summarizer.summarize(meeting(120), "en", [&](const SummaryProgress& p) { steps.push_back(p); });
  const auto parts = transcriptParts(meeting(120), 24000).size();
  ASSERT_EQ(asked.size(), parts + 1);
  for (std::size_t i = 0; i < parts; ++i) {
    EXPECT_EQ(asked[i].find("Here is part " + std::to_string(i + 1) + "/" + std::to_string(parts)), 0u);
  }
  // The summary is written from every part's notes, in order.
  const auto& last = asked.back();
  EXPECT_NE(last.find("Participants: Ana, Bruno, Chloé, Dimitri."), std::string::npos);
  std::size_t at = 0;
  for (std::size_t i = 1; i <= parts; ++i) {
    at = last.find("notes on " + std::to_string(i) + "/", at);
    EXPECT_NE(at, std::string::npos) << "notes of part " << i;
  }
  EXPECT_EQ(summary.mainPoints, std::vector<std::string>{"the budget"});
  ASSERT_EQ(steps.size(), parts + 1);
  EXPECT_EQ(steps.back().done, steps.back().total);
}

TEST(Summarizer, NotesThatDoNotFitTogetherAreMergedFirst) {
  int merges = 0;
  std::string final;
  SummarizerSettings small;
  small.maxChars = 3000;
  const Summarizer summarizer(
      [&](const std::vector<ChatMessage>& m) -> std::string {
        const auto& text = m[1].content;
        if (text.find("Here is part ") == 0) return std::string(1000, 'n');  // long notes
        if (text.find("Here are notes taken on successive parts") == 0) return "merged " + std::to_string(++merges);
        final = text;
        return kSummaryJson;
      },
      small);
  summarizer.summarize(meeting(20), "en");
  EXPECT_GT(merges, 0);
  EXPECT_NE(final.find("merged 1"), std::string::npos);
  EXPECT_EQ(final.find(std::string(1000, 'n')), std::string::npos) << "the final request has the merged notes";
}

TEST(MeetingSummary, ReadsTheModelsObjectAndWritesMarkdownInTheLanguage) {
  const auto summary = parseSummaryAnswer("Voici :\n" + kSummaryJson + "\nBonne journée", {"Ana", "Bruno"}, "fr");
  const auto md = summaryMarkdown(summary, "Comité budget");
  EXPECT_EQ(md.rfind("# Compte rendu — Comité budget\n", 0), 0u) << md;
  EXPECT_NE(md.find("## Décisions\n\n- the consultation closes on 12 March\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **Ana**: send the note\n"), std::string::npos) << md;
  EXPECT_NE(md.find("- **non attribuée**: book a room\n"), std::string::npos) << md;
  EXPECT_NE(md.find("## Participants\n\n- Ana\n- Bruno\n"), std::string::npos) << md;
  const auto doc = summaryJson(summary);
  EXPECT_EQ(doc["action_items"][1]["owner"], nullptr);
  EXPECT_EQ(doc["participants"], json({"Ana", "Bruno"}));
  // An answer that is not the object asked for is kept whole, not lost.
  const auto prose = parseSummaryAnswer("The team reviewed the budget.", {"Ana"}, "en");
  EXPECT_EQ(prose.overview, "The team reviewed the budget.");
  EXPECT_NE(summaryMarkdown(prose, "").find("## Decisions\n\nNone.\n"), std::string::npos);
}

TEST(SummaryService, ReportsEachStepRetriesAndTheResultOnTheControlThread) {
  std::mutex mutex;
  std::condition_variable posted;
  std::deque<std::function<void()>> control;  // this thread plays the control thread
  std::vector<meeting::SummaryReport> reports;
  int calls = 0;
  meeting::SummaryService service(
      [&](const std::vector<ChatMessage>& messages, const std::atomic<bool>&,
          const std::function<void(const std::string&)>& onFailedAttempt) -> std::string {
        if (++calls == 1) onFailedAttempt("HTTP 500: overloaded");
        if (messages[1].content.find("ligne 0") == std::string::npos) throw ChatError("the model is gone");
        return kSummaryJson;
      },
      [&](std::function<void()> task) {
        std::lock_guard lock(mutex);
        control.push_back(std::move(task));
        posted.notify_all();
      },
      [&](const meeting::SummaryReport& report) { reports.push_back(report); });
  auto runUntilFinal = [&] {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(posted.wait_for(lock, std::chrono::seconds(10), [&] { return !control.empty(); }));
        task = std::move(control.front());
        control.pop_front();
      }
      task();
      const auto state = reports.back().state;
      if (state == meeting::SummaryReport::State::Done || state == meeting::SummaryReport::State::Failed) return;
    }
  };
  meeting::SummaryJob job{42, "abc-defg-hij", "Comité", "en", meeting(3)};
  ASSERT_TRUE(service.submit(job));
  runUntilFinal();
  using State = meeting::SummaryReport::State;
  ASSERT_GE(reports.size(), 3u);
  EXPECT_EQ(reports[0].state, State::Running);
  EXPECT_EQ(reports[1].state, State::Retrying);
  EXPECT_EQ(reports[1].error, "HTTP 500: overloaded");
  EXPECT_EQ(reports.back().state, State::Done);
  EXPECT_EQ(reports.back().transcriptionId, 42);
  EXPECT_EQ(reports.back().attempts, 1);
  EXPECT_NE(reports.back().markdown.find("# Summary — Comité"), std::string::npos);
  EXPECT_EQ(json::parse(reports.back().json)["overview"], "Budget review.");

  // A model that fails for good: the job fails with why, and the service goes on.
  reports.clear();
  job.lines = {{0, "Ana", "autre chose"}};
  ASSERT_TRUE(service.submit(job));
  runUntilFinal();
  EXPECT_EQ(reports.back().state, State::Failed);
  EXPECT_EQ(reports.back().error, "the model is gone");
}

TEST(SummaryService, ItsQueueIsBounded) {
  std::atomic<bool> release{false};
  meeting::SummaryServiceSettings settings;
  settings.maxQueued = 2;
  meeting::SummaryService service(
      [&](const std::vector<ChatMessage>&, const std::atomic<bool>& cancelled,
          const std::function<void(const std::string&)>&) -> std::string {
        while (!release && !cancelled) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        throw ChatError("stopped");
      },
      [](std::function<void()>) {}, [](const meeting::SummaryReport&) {}, settings);
  const meeting::SummaryJob job{1, "abc-defg-hij", "", "en", meeting(1)};
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += service.submit(job) ? 1 : 0;
  EXPECT_GE(accepted, 2);
  EXPECT_LE(accepted, 3) << "two queued, and perhaps one taken by the thread already";
  EXPECT_NE(service.renderMetrics().find("parley_summaries_refused_total"), std::string::npos);
  // The destructor cancels the job in progress: this test ends.
}

}  // namespace parley::summary
