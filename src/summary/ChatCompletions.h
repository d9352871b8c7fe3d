#pragma once
// A client for an OpenAI-compatible chat completions server inside the deployment (France's
// Albert API, vLLM, llama.cpp's server): POST /v1/chat/completions, the answer's first
// choice. Server errors, rate limiting and timeouts are retried with a doubling backoff;
// other client errors are not (they will not change). Blocking: call it from a thread of
// its own.
#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fetch/HttpClient.h"

namespace parley::summary {

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct ChatSettings {
  std::string url;  // base, e.g. http://127.0.0.1:8000 (or the full endpoint)
  std::string model;
  std::string apiKey;  // sent as a bearer token when set
  int attempts = 4;
  std::chrono::milliseconds firstBackoff{2000};
  std::chrono::seconds timeout{300};  // a long transcript's chunk takes a while to write
  double temperature = 0.2;
};

class ChatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The request (exposed for tests): the target on the server and the JSON body.
struct ChatRequest {
  std::string target;
  std::string body;
};
ChatRequest buildChatRequest(const ChatSettings& settings, const fetch::Url& url, const std::vector<ChatMessage>& messages);
// The text of the first choice; throws ChatError when the answer has none.
std::string parseChatResponse(const std::string& body);

class ChatCompletions {
 public:
  // Throws std::invalid_argument for an unusable URL.
  explicit ChatCompletions(ChatSettings settings);
  // The model's answer. Throws ChatError with the last failure once the attempts are spent,
  // or when `cancelled` is set during a backoff.
  // `onFailedAttempt`, if set, hears each failure that will be retried.
  std::string complete(const std::vector<ChatMessage>& messages, const std::atomic<bool>* cancelled = nullptr,
                       const std::function<void(const std::string&)>& onFailedAttempt = {}) const;
  const ChatSettings& settings() const { return settings_; }

 private:
  ChatSettings settings_;
  fetch::Url url_;
};

}  // namespace parley::summary
