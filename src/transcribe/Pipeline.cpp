#include "transcribe/Pipeline.h"

#include <algorithm>
#include <filesystem>

#include "transcribe/AudioFileReader.h"
#include "transcribe/Mfcc.h"
#include "transcribe/SpeechSegmenter.h"
#include "transcribe/VoiceDetector.h"

namespace parley::transcribe {

namespace {

std::string speakerId(int index) { return "S" + std::to_string(index + 1); }

std::string joinWords(const std::vector<Word>& words) {
  std::string text;
  for (const auto& w : words) {
    if (!text.empty()) text += ' ';
    text += w.word;
  }
  return text;
}

}  // namespace

std::vector<Segment> attributeWords(const std::vector<Word>& words, const std::vector<SpeakerTurn>& turns) {
  std::vector<Segment> segments;
  for (const auto& w : words) {
    const double middle = (w.start + w.end) / 2;
    int speaker = -1;
    double bestDistance = 1e18;
    for (const auto& turn : turns) {
      const double distance = middle < turn.start ? turn.start - middle : (middle > turn.end ? middle - turn.end : 0);
      if (distance < bestDistance) {
        bestDistance = distance;
        speaker = turn.speaker;
      }
    }
    const std::string id = speaker >= 0 ? speakerId(speaker) : "";
    if (segments.empty() || segments.back().speaker != id || w.start - segments.back().end > 1.0) {
      segments.push_back({w.start, w.end, id, "", {}});
    }
    segments.back().words.push_back(w);
    segments.back().end = w.end;
  }
  for (auto& s : segments) s.text = joinWords(s.words);
  return segments;
}

PipelineResult transcribeFile(const std::string& path, const PipelineSettings& settings) {
  AudioFileReader reader(path);
  PipelineResult result;
  Transcript& transcript = result.transcript;
  transcript.language = settings.language;
  transcript.fileId = std::filesystem::path(path).stem().string();

  std::vector<Word> words;
  std::vector<Segment> plainSegments;  // without diarization: one per utterance
  SpeechSegmenter segmenter([&](SpeechSegment&& utterance) {
    if (!settings.recognizer || result.error) return;
    try {
      auto found = settings.recognizer->recognize(utterance.samples);
      for (auto& w : found) {
        w.start += utterance.start;
        w.end += utterance.start;
      }
      if (!found.empty()) {
        plainSegments.push_back({found.front().start, found.back().end, "", "", found});
        plainSegments.back().text = joinWords(found);
      }
      words.insert(words.end(), found.begin(), found.end());
    } catch (const RecognizerError& e) {
      result.error = e.what();
    }
  }, settings.segmenter);
  std::optional<VoiceDetector> voice;
  if (settings.diarize && settings.diarization.voiceAggressiveness >= 0) voice.emplace(settings.diarization.voiceAggressiveness);
  MfccExtractor mfcc;
  std::vector<MfccFrame> features;
  // Reserved from the header, so the last doubling of a long recording's features (a moment
  // with both the old and the new copy) never happens. Reserved pages cost nothing until
  // written, so a header that promises too much wastes address space only, up to a day.
  if (settings.diarize) features.reserve(static_cast<std::size_t>(std::min(reader.durationSeconds(), 86400.0) * 100) + 64);
  std::vector<float> chunk;
  double done = 0;
  for (;;) {
    chunk.clear();
    const bool more = reader.read(chunk, kSampleRate * 2);
    segmenter.feed(chunk);
    if (settings.diarize) mfcc.feed(chunk, features);
    if (voice) voice->feed(chunk);
    done += static_cast<double>(chunk.size()) / kSampleRate;
    if (settings.progress) settings.progress(done, reader.durationSeconds());
    if (!more) break;
  }
  segmenter.finish();
  transcript.duration = done;
  const bool recognized = settings.recognizer != nullptr;
  if (settings.recognitionDone) settings.recognitionDone();  // settings.recognizer may be gone now

  if (settings.diarize) {
    auto speech = tightenSpeech(segmenter.frameDecisions(), segmenter.frameLevels(),
                                settings.diarization.speechReachFrames, settings.diarization.speechBelowPeakDb);
    if (voice) speech = keepVoiced(speech, voice->decisions(), settings.diarization.voiceReachFrames);
    const auto turns = Diarizer(settings.diarization).diarize(std::move(features), speech, settings.speakers);
    int speakers = 0;
    for (const auto& t : turns) speakers = std::max(speakers, t.speaker + 1);
    for (int s = 0; s < speakers; ++s) transcript.speakers.push_back({speakerId(s), "Speaker " + std::to_string(s + 1)});
    if (recognized) {
      transcript.segments = attributeWords(words, turns);
    } else {
      for (const auto& t : turns) transcript.segments.push_back({t.start, t.end, speakerId(t.speaker), "", {}});
    }
  } else {
    transcript.segments = std::move(plainSegments);
  }
  return result;
}

}  // namespace parley::transcribe
