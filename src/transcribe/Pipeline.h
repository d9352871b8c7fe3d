#pragma once
// The engine on a recording: read and resample, detect speech, recognize each utterance,
// diarize, and give every word the speaker of the moment it was spoken. Memory stays
// bounded: audio is never kept whole, only features (80 bytes per 10 ms) for diarization.
#include <functional>
#include <optional>
#include <string>

#include "transcribe/Diarizer.h"
#include "transcribe/Recognizer.h"
#include "transcribe/SpeechSegmenter.h"
#include "transcribe/Transcript.h"

namespace parley::transcribe {

struct PipelineSettings {
  Recognizer* recognizer = nullptr;  // null: no words (diarization only)
  bool diarize = false;
  std::optional<int> speakers;
  std::string language = "en";
  DiarizationSettings diarization;
  SegmenterSettings segmenter;
  // Seconds processed so far and the total (0 if unknown), for a progress bar.
  std::function<void(double done, double total)> progress;
  // Called once every utterance is recognized, before diarization: the caller may free the
  // recognizer then (PocketSphinx's model is about 120 MB; a two-hour diarization is as much).
  std::function<void()> recognitionDone;
};

struct PipelineResult {
  Transcript transcript;
  // Set when recognition failed part way; the transcript holds what came before.
  std::optional<std::string> error;
};

// Throws AudioError if the file cannot be read at all.
PipelineResult transcribeFile(const std::string& path, const PipelineSettings& settings);

// Builds transcript segments from words and speaker turns (exposed for tests): each word
// takes the speaker whose turn covers its middle (or the nearest turn), and a segment
// ends at a change of speaker or a pause of more than a second.
std::vector<Segment> attributeWords(const std::vector<Word>& words, const std::vector<SpeakerTurn>& turns);

}  // namespace parley::transcribe
