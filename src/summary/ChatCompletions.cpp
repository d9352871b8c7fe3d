#include "summary/ChatCompletions.h"

#include <nlohmann/json.hpp>

#include <thread>

namespace parley::summary {

namespace {
constexpr std::string_view kEndpoint = "/v1/chat/completions";

// Sleeps `wait`, in short steps so that a cancellation is seen; false if cancelled.
bool backOff(std::chrono::milliseconds wait, const std::atomic<bool>* cancelled) {
  const auto until = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < until) {
    if (cancelled && cancelled->load()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
  return !(cancelled && cancelled->load());
}
}  // namespace

ChatRequest buildChatRequest(const ChatSettings& settings, const fetch::Url& url,
                             const std::vector<ChatMessage>& messages) {
  ChatRequest request;
  // A base URL gets the standard path; a full endpoint is taken as given.
  const bool full = url.path.size() >= kEndpoint.size() &&
                    url.path.compare(url.path.size() - kEndpoint.size(), kEndpoint.size(), kEndpoint) == 0;
  request.target = full ? url.path : url.path + std::string(kEndpoint);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : messages) list.push_back({{"role", m.role}, {"content", m.content}});
  request.body = nlohmann::json{{"model", settings.model},
                                {"messages", std::move(list)},
                                {"temperature", settings.temperature},
                                {"stream", false}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return request;
}

std::string parseChatResponse(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) throw ChatError("the answer is not JSON");
  const auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty()) throw ChatError("the answer has no choices");
  // Every lookup by find: operator[] on a const object with a missing key is undefined.
  const auto& first = (*choices)[0];
  const auto message = first.is_object() ? first.find("message") : first.end();
  if (!first.is_object() || message == first.end() || !message->is_object()) {
    throw ChatError("the answer's first choice has no message");
  }
  const auto content = message->find("content");
  if (content == message->end() || !content->is_string()) throw ChatError("the answer's message has no text");
  return content->get<std::string>();
}

ChatCompletions::ChatCompletions(ChatSettings settings)
    : settings_(std::move(settings)), url_(fetch::parseUrl(settings_.url)) {}

std::string ChatCompletions::complete(const std::vector<ChatMessage>& messages, const std::atomic<bool>* cancelled,
                                      const std::function<void(const std::string&)>& onFailedAttempt) const {
  const auto request = buildChatRequest(settings_, url_, messages);
  std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!settings_.apiKey.empty()) headers["Authorization"] = "Bearer " + settings_.apiKey;
  std::string lastError;
  auto backoff = settings_.firstBackoff;
  int made = 0;
  for (int attempt = 1; attempt <= settings_.attempts; ++attempt) {
    ++made;
    try {
      const auto response = fetch::httpPost(url_, request.target, headers, request.body, settings_.timeout);
      if (response.status == 200) return parseChatResponse(response.body);
      lastError = "HTTP " + std::to_string(response.status) + ": " + response.body.substr(0, 200);
      // Client errors will not change on retry (except rate limiting and a request timeout).
      if (response.status >= 400 && response.status < 500 && response.status != 429 && response.status != 408) break;
    } catch (const fetch::HttpError& e) {
      lastError = e.what();
    } catch (const ChatError& e) {
      lastError = e.what();  // a garbled answer may be a passing fault of an overloaded server
    }
    if (attempt < settings_.attempts) {
      if (onFailedAttempt) onFailedAttempt(lastError);
      if (!backOff(backoff, cancelled)) throw ChatError("cancelled (" + lastError + ")");
      backoff *= 2;
    }
  }
  throw ChatError("the language model at " + settings_.url + " failed (" + std::to_string(made) +
                  (made == 1 ? " attempt): " : " attempts): ") + lastError);
}

}  // namespace parley::summary
