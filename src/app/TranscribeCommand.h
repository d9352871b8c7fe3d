#pragma once
// `parley transcribe` and `parley diarize`: the transcription engine on a file.
#include <string>
#include <vector>

namespace parley::app {

int runTranscribe(const std::vector<std::string>& args);
int runDiarize(const std::vector<std::string>& args);

}  // namespace parley::app
