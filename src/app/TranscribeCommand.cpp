#include "app/TranscribeCommand.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "common/ParseNumber.h"
#include "transcribe/AudioFileReader.h"
#include "transcribe/OpenAiRecognizer.h"
#include "transcribe/Pipeline.h"
#include "transcribe/PocketSphinxRecognizer.h"

namespace parley::app {

namespace {

const char* kTranscribeUsage =
    "Usage: parley transcribe INPUT [options]\n"
    "\n"
    "Writes what was said in a recording (WAV, FLAC, Ogg/Opus, MP3), and by whom with --diarize.\n"
    "\n"
    "  -o OUT              write here instead of standard output\n"
    "  --format F          json, vtt, srt, md, rttm or txt (default: from OUT's extension, else txt)\n"
    "  --language LANG     language of the speech, ISO 639-1 (default en; the embedded model is English)\n"
    "  --diarize           find who spoke when\n"
    "  --speakers N        the number of speakers, if known (implies --diarize)\n"
    "  --asr NAME          pocketsphinx (embedded, default) or openai (an OpenAI-compatible server)\n"
    "  --asr-url URL       the server for --asr openai, e.g. http://127.0.0.1:8000\n"
    "  --asr-model NAME    the model to ask that server for (default whisper-1)\n"
    "  --quiet             no progress bar\n";

const char* kDiarizeUsage =
    "Usage: parley diarize INPUT --rttm OUT [--speakers N] [--quiet]\n"
    "\n"
    "Writes who spoke when in a recording, as RTTM.\n";

struct Arguments {
  std::string input, output, format, language = "en", asr = "pocketsphinx", asrUrl, asrModel = "whisper-1", rttm;
  bool diarize = false, quiet = false, help = false;
  std::optional<int> speakers;
};

bool parseArguments(const std::vector<std::string>& args, bool diarizeCommand, Arguments& a, std::string& error) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) {
        error = arg + " needs a value";
        return false;
      }
      out = args[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      a.help = true;
      return true;
    } else if (arg == "--quiet" || arg == "-q") {
      a.quiet = true;
    } else if (arg == "--speakers") {
      std::string v;
      if (!value(v)) return false;
      int n = 0;
      if (!parseNumberInRange(v, 1, 50, n)) {
        error = "--speakers must be a number from 1 to 50";
        return false;
      }
      a.speakers = n;
      a.diarize = true;
    } else if (diarizeCommand && arg == "--rttm") {
      if (!value(a.rttm)) return false;
    } else if (!diarizeCommand && (arg == "-o" || arg == "--output")) {
      if (!value(a.output)) return false;
    } else if (!diarizeCommand && arg == "--format") {
      if (!value(a.format)) return false;
    } else if (!diarizeCommand && arg == "--language") {
      if (!value(a.language)) return false;
    } else if (!diarizeCommand && arg == "--diarize") {
      a.diarize = true;
    } else if (!diarizeCommand && arg == "--asr") {
      if (!value(a.asr)) return false;
    } else if (!diarizeCommand && arg == "--asr-url") {
      if (!value(a.asrUrl)) return false;
    } else if (!diarizeCommand && arg == "--asr-model") {
      if (!value(a.asrModel)) return false;
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      error = "unknown option " + arg;
      return false;
    } else if (a.input.empty()) {
      a.input = arg;
    } else {
      error = "more than one input: " + a.input + " and " + arg;
      return false;
    }
  }
  if (a.input.empty()) {
    error = "no input file";
    return false;
  }
  return true;
}

// A one-line bar on standard error, redrawn in place, only when it is a terminal.
std::function<void(double, double)> progressBar(bool quiet) {
  if (quiet || !isatty(STDERR_FILENO)) return {};
  return [](double done, double total) {
    if (total <= 0) {
      std::fprintf(stderr, "\r%.0f s processed", done);
    } else {
      const int width = 40;
      const int filled = static_cast<int>(width * std::min(1.0, done / total));
      std::fprintf(stderr, "\r[%s%s] %3.0f%%", std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                   100 * std::min(1.0, done / total));
    }
    std::fflush(stderr);
  };
}

int writeOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return std::cout.good() ? 0 : 1;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    std::cerr << "parley: cannot write " << path << '\n';
    return 1;
  }
  return 0;
}

int run(const Arguments& a, bool diarizeCommand) {
  transcribe::PipelineSettings settings;
  settings.diarize = a.diarize || diarizeCommand;
  settings.speakers = a.speakers;
  settings.language = a.language;
  settings.progress = progressBar(a.quiet);
  // Expert tuning of the diarizer, as used by scripts/bench-transcription:
  // PARLEY_DIARIZATION="clusterPenalty=1.2,changePenalty=1.0,..."
  if (const char* tuning = std::getenv("PARLEY_DIARIZATION")) {
    std::string rest = tuning;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string item = rest.substr(0, comma);
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
      const auto eq = item.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = item.substr(0, eq);
      const double value = std::atof(item.substr(eq + 1).c_str());
      auto& d = settings.diarization;
      if (key == "clusterPenalty") d.clusterPenalty = value;
      else if (key == "changePenalty") d.changePenalty = value;
      else if (key == "changeWindowFrames") d.changeWindowFrames = static_cast<int>(value);
      else if (key == "maxSegmentFrames") d.maxSegmentFrames = static_cast<int>(value);
      else if (key == "minClusterFrames") d.minClusterFrames = static_cast<int>(value);
      else if (key == "smoothingFrames") d.smoothingFrames = static_cast<int>(value);
      else if (key == "jumpFraction") d.jumpFraction = value;
      else if (key == "oneSpeakerBelow") d.oneSpeakerBelow = value;
      else if (key == "gmmComponents") d.gmmComponents = static_cast<int>(value);
      else if (key == "resegmentationPasses") d.resegmentationPasses = static_cast<int>(value);
      else if (key == "minSpeakerShare") d.minSpeakerShare = value;
      else if (key == "minSpeakerFrames") d.minSpeakerFrames = static_cast<int>(value);
      else if (key == "mergeThreshold") d.mergeThreshold = value;
      else if (key == "backgroundComponents") d.backgroundComponents = static_cast<int>(value);
      else if (key == "mapRelevance") d.mapRelevance = value;
      else if (key == "speechReachFrames") d.speechReachFrames = static_cast<int>(value);
      else if (key == "speechBelowPeakDb") d.speechBelowPeakDb = value;
      else if (key == "voiceAggressiveness") d.voiceAggressiveness = static_cast<int>(value);
      else if (key == "bridgePauseSeconds") d.bridgePauseSeconds = value;
      else if (key == "alternativesUpToSegments") d.alternativesUpToSegments = static_cast<std::size_t>(value);
      else if (key == "voiceReachFrames") d.voiceReachFrames = static_cast<int>(value);
      else if (key == "vadThresholdDb") settings.segmenter.thresholdDb = value;
      else if (key == "vadHangoverFrames") settings.segmenter.hangoverFrames = static_cast<int>(value);
      else if (key == "vadOnsetFrames") settings.segmenter.onsetFrames = static_cast<int>(value);
      else if (key == "vadPaddingFrames") settings.segmenter.paddingFrames = static_cast<int>(value);
      else if (key == "vadFloorDb") settings.segmenter.absoluteFloorDb = value;
      else std::cerr << "parley: unknown diarization setting " << key << '\n';
    }
  }
  std::unique_ptr<transcribe::Recognizer> recognizer;
  transcribe::Format format = transcribe::Format::Rttm;
  if (!diarizeCommand) {
    std::string formatName = a.format;
    if (formatName.empty() && !a.output.empty()) {
      const auto dot = a.output.rfind('.');
      if (dot != std::string::npos) formatName = a.output.substr(dot + 1);
      if (formatName == "txt" || formatName == "json" || formatName == "vtt" || formatName == "srt" ||
          formatName == "md" || formatName == "rttm") {
      } else {
        formatName.clear();
      }
    }
    const auto parsed = transcribe::parseFormat(formatName.empty() ? "txt" : formatName);
    if (!parsed) {
      std::cerr << "parley transcribe: unknown format \"" << a.format << "\" (json, vtt, srt, md, rttm or txt)\n";
      return 2;
    }
    format = *parsed;
    try {
      if (a.asr == "pocketsphinx") {
        if (a.language != "en") {
          std::cerr << "parley transcribe: the embedded recognizer knows English only; use --asr openai for \""
                    << a.language << "\"\n";
          return 2;
        }
        recognizer = std::make_unique<transcribe::PocketSphinxRecognizer>();
      } else if (a.asr == "openai") {
        if (a.asrUrl.empty()) {
          std::cerr << "parley transcribe: --asr openai needs --asr-url\n";
          return 2;
        }
        transcribe::OpenAiSettings openai;
        openai.url = a.asrUrl;
        openai.model = a.asrModel;
        openai.language = a.language;
        if (const char* key = std::getenv("PARLEY_ASR_API_KEY")) openai.apiKey = key;
        recognizer = std::make_unique<transcribe::OpenAiRecognizer>(openai);
      } else {
        std::cerr << "parley transcribe: unknown recognizer \"" << a.asr << "\" (pocketsphinx or openai)\n";
        return 2;
      }
    } catch (const std::exception& e) {
      std::cerr << "parley transcribe: " << e.what() << '\n';
      return 1;
    }
    settings.recognizer = recognizer.get();
    settings.recognitionDone = [&recognizer] { recognizer.reset(); };
  }
  transcribe::PipelineResult result;
  try {
    result = transcribe::transcribeFile(a.input, settings);
  } catch (const transcribe::AudioError& e) {
    if (settings.progress) std::fputc('\n', stderr);
    std::cerr << "parley: " << e.what() << '\n';
    return 1;
  }
  if (settings.progress) std::fputc('\n', stderr);
  const int written = writeOutput(diarizeCommand ? a.rttm : a.output, transcribe::render(result.transcript, format));
  if (result.error) {
    std::cerr << "parley: recognition stopped: " << *result.error << " (what came before is written)\n";
    return 1;
  }
  return written;
}

}  // namespace

int runTranscribe(const std::vector<std::string>& args) {
  Arguments a;
  std::string error;
  if (!parseArguments(args, false, a, error)) {
    std::cerr << "parley transcribe: " << error << " (see parley transcribe --help)\n";
    return 2;
  }
  if (a.help) {
    std::cout << kTranscribeUsage;
    return 0;
  }
  return run(a, false);
}

int runDiarize(const std::vector<std::string>& args) {
  Arguments a;
  std::string error;
  if (!parseArguments(args, true, a, error)) {
    std::cerr << "parley diarize: " << error << " (see parley diarize --help)\n";
    return 2;
  }
  if (a.help) {
    std::cout << kDiarizeUsage;
    return 0;
  }
  if (a.rttm.empty()) {
    std::cerr << "parley diarize: --rttm OUT is required\n";
    return 2;
  }
  return run(a, true);
}

}  // namespace parley::app
