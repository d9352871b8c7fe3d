#pragma once
// Recognition by an OpenAI-compatible server (whisper.cpp's server, faster-whisper servers,
// France's Albert API): each speech segment is POSTed to /v1/audio/transcriptions as a WAV
// file; the deployment gets Whisper quality and its own languages, still on premises.
#include <chrono>
#include <string>

#include "fetch/HttpClient.h"
#include "transcribe/Recognizer.h"

namespace parley::transcribe {

struct OpenAiSettings {
  std::string url;  // base, e.g. http://127.0.0.1:8080 (or the full endpoint)
  std::string model = "whisper-1";
  std::string language = "en";
  std::string apiKey;  // sent as a bearer token when set
  int attempts = 3;
  std::chrono::milliseconds firstBackoff{500};
  std::chrono::seconds timeout{120};
};

// The request for one segment (exposed for tests): content type and multipart body.
struct TranscriptionRequest {
  std::string target;
  std::string contentType;
  std::string body;
};
TranscriptionRequest buildTranscriptionRequest(const OpenAiSettings& settings, const fetch::Url& url,
                                               std::span<const float> samples, const std::string& boundary);

// Words from the server's answer: verbose_json with word times, or segment times, or a
// plain "text" (words then spread over the segment). Throws RecognizerError if unreadable.
std::vector<Word> parseTranscriptionResponse(const std::string& body, double segmentSeconds);

// 16-bit PCM WAV of 16 kHz mono samples.
std::string encodeWav(std::span<const float> samples);

class OpenAiRecognizer final : public Recognizer {
 public:
  explicit OpenAiRecognizer(OpenAiSettings settings);
  std::vector<Word> recognize(std::span<const float> samples) override;
  std::string name() const override { return "openai"; }

 private:
  OpenAiSettings settings_;
  fetch::Url url_;
};

}  // namespace parley::transcribe
