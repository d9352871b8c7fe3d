#include "transcribe/OpenAiRecognizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <thread>

#include "common/Random.h"

namespace parley::transcribe {

namespace {

constexpr const char* kEndpoint = "/v1/audio/transcriptions";

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
  put16(out, static_cast<std::uint16_t>(v >> 16));
}

std::vector<std::string> splitWords(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

}  // namespace

std::string encodeWav(std::span<const float> samples) {
  const auto dataBytes = static_cast<std::uint32_t>(samples.size() * 2);
  std::string out = "RIFF";
  put32(out, 36 + dataBytes);
  out += "WAVEfmt ";
  put32(out, 16);
  put16(out, 1);      // PCM
  put16(out, 1);      // mono
  put32(out, 16000);  // rate
  put32(out, 32000);  // bytes per second
  put16(out, 2);      // block align
  put16(out, 16);     // bits
  out += "data";
  put32(out, dataBytes);
  for (float s : samples) {
    const auto v = static_cast<std::int16_t>(std::lround(std::clamp(s, -1.0f, 1.0f) * 32767.0f));
    put16(out, static_cast<std::uint16_t>(v));
  }
  return out;
}

TranscriptionRequest buildTranscriptionRequest(const OpenAiSettings& settings, const fetch::Url& url,
                                               std::span<const float> samples, const std::string& boundary) {
  TranscriptionRequest request;
  // A URL that already names the endpoint is used as it is.
  const std::string endpointSuffix = "/audio/transcriptions";
  request.target = url.path.size() >= endpointSuffix.size() &&
                           url.path.compare(url.path.size() - endpointSuffix.size(), endpointSuffix.size(),
                                            endpointSuffix) == 0
                       ? url.path
                       : url.path + kEndpoint;
  request.contentType = "multipart/form-data; boundary=" + boundary;
  std::string& body = request.body;
  const auto field = [&](const std::string& name, const std::string& value) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  };
  field("model", settings.model);
  if (!settings.language.empty()) field("language", settings.language);
  field("response_format", "verbose_json");
  field("timestamp_granularities[]", "word");
  field("timestamp_granularities[]", "segment");
  field("temperature", "0");
  body += "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"segment.wav\"\r\nContent-Type: audio/wav\r\n\r\n";
  body += encodeWav(samples);
  body += "\r\n--" + boundary + "--\r\n";
  return request;
}

std::vector<Word> parseTranscriptionResponse(const std::string& body, double segmentSeconds) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  std::vector<Word> words;
  if (json.is_discarded()) {
    // response_format=text servers (Albert answers json or text): take the words as they are.
    const auto plain = splitWords(body);
    if (plain.empty()) return words;
    for (std::size_t i = 0; i < plain.size(); ++i) {
      words.push_back({plain[i], segmentSeconds * i / plain.size(), segmentSeconds * (i + 1) / plain.size(), 1.0});
    }
    return words;
  }
  if (!json.is_object()) throw RecognizerError("the recognition server answered with something other than an object");
  // Times come back inside the segment and in order, confidences in [0, 1], whatever the
  // server says: a transcript must not show a word before the meeting began.
  const auto number = [](const nlohmann::json& o, const char* key, double fallback) {
    const auto it = o.find(key);
    const double value = it != o.end() && it->is_number() ? it->get<double>() : fallback;
    return std::isfinite(value) ? value : fallback;
  };
  const auto within = [segmentSeconds](double t) { return std::clamp(t, 0.0, std::max(0.0, segmentSeconds)); };
  if (const auto it = json.find("words"); it != json.end() && it->is_array() && !it->empty()) {
    for (const auto& w : *it) {
      if (!w.is_object() || !w.contains("word") || !w["word"].is_string()) continue;
      std::string text = w["word"].get<std::string>();
      const auto trimmed = splitWords(text);
      if (trimmed.empty()) continue;
      const double start = within(number(w, "start", 0));
      words.push_back({trimmed.front(), start, std::max(start, within(number(w, "end", 0))),
                       std::clamp(number(w, "probability", number(w, "confidence", 1.0)), 0.0, 1.0)});
    }
    return words;
  }
  if (const auto it = json.find("segments"); it != json.end() && it->is_array() && !it->empty()) {
    for (const auto& s : *it) {
      if (!s.is_object() || !s.contains("text") || !s["text"].is_string()) continue;
      const auto parts = splitWords(s["text"].get<std::string>());
      const double start = within(number(s, "start", 0)), end = std::max(start, within(number(s, "end", segmentSeconds)));
      const double confidence = std::exp(std::min(0.0, number(s, "avg_logprob", 0)));
      for (std::size_t i = 0; i < parts.size(); ++i) {
        words.push_back({parts[i], start + (end - start) * i / parts.size(), start + (end - start) * (i + 1) / parts.size(),
                         confidence});
      }
    }
    return words;
  }
  if (const auto it = json.find("text"); it != json.end() && it->is_string()) {
    const auto parts = splitWords(it->get<std::string>());
    for (std::size_t i = 0; i < parts.size(); ++i) {
      words.push_back({parts[i], segmentSeconds * i / parts.size(), segmentSeconds * (i + 1) / parts.size(), 1.0});
    }
    return words;
  }
  if (const auto it = json.find("error"); it != json.end()) {
    throw RecognizerError("the recognition server reported an error: " + it->dump().substr(0, 200));
  }
  throw RecognizerError("the recognition server's answer has no text");
}

OpenAiRecognizer::OpenAiRecognizer(OpenAiSettings settings) : settings_(std::move(settings)) {
  try {
    url_ = fetch::parseUrl(settings_.url);
  } catch (const std::invalid_argument& e) {
    throw RecognizerError(e.what());
  }
}

std::vector<Word> OpenAiRecognizer::recognize(std::span<const float> samples) {
  const auto request = buildTranscriptionRequest(settings_, url_, samples, "parley-" + randomToken(12));
  std::map<std::string, std::string> headers = {{"Content-Type", request.contentType}, {"Accept", "application/json"}};
  if (!settings_.apiKey.empty()) headers["Authorization"] = "Bearer " + settings_.apiKey;
  std::string lastError;
  auto backoff = settings_.firstBackoff;
  for (int attempt = 1; attempt <= settings_.attempts; ++attempt) {
    try {
      const auto response = fetch::httpPost(url_, request.target, headers, request.body, settings_.timeout);
      if (response.status == 200) return parseTranscriptionResponse(response.body, samples.size() / 16000.0);
      lastError = "HTTP " + std::to_string(response.status) + ": " + response.body.substr(0, 200);
      // Client errors will not change on retry (except rate limiting).
      if (response.status >= 400 && response.status < 500 && response.status != 429) break;
    } catch (const fetch::HttpError& e) {
      lastError = e.what();
    }
    if (attempt < settings_.attempts) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }
  throw RecognizerError("the recognition server at " + settings_.url + " failed: " + lastError);
}

}  // namespace parley::transcribe
