// The parley command: `parley serve` runs the meeting server; more commands join it
// (transcribe, diarize) as the engine grows.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/MigrateStoreCommand.h"
#include "app/Options.h"
#include "app/RenderCompositeCommand.h"
#include "app/Server.h"
#include "app/TranscribeCommand.h"

#ifndef PARLEY_VERSION
#define PARLEY_VERSION "0.0.0"
#endif

namespace {

const char* kUsage =
    "Usage: parley <command> [options]\n"
    "\n"
    "Commands:\n"
    "  serve       run the meeting server (see parley serve --help)\n"
    "  transcribe  write what was said in a recording, and by whom\n"
    "  diarize     write who spoke when in a recording, as RTTM\n"
    "  migrate-store  copy a SQLite store into PostgreSQL (for a cluster)\n"
    "  render-composite  render a finished recording's composite video again\n"
    "\n"
    "  --help      this text\n"
    "  --version   the version\n";

const char* environment(const char* name) { return std::getenv(name); }

}  // namespace

int main(int argc, char** argv) {
  // Logs go to standard error, so commands that write results keep standard output clean.
  spdlog::set_default_logger(spdlog::stderr_color_mt("parley"));
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string& command = args[0];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "--version" || command == "-V" || command == "version") {
    std::cout << "parley " << PARLEY_VERSION << '\n';
    return 0;
  }
  if (command == "serve") {
    std::string error;
    bool help = false;
    const auto options =
        parley::app::parseServeOptions({args.begin() + 1, args.end()}, environment, error, help);
    if (help) {
      std::cout << parley::app::serveUsage();
      return 0;
    }
    if (!options) {
      std::cerr << "parley serve: " << error << '\n';
      return 2;
    }
    return parley::app::runServer(*options);
  }
  if (command == "transcribe") return parley::app::runTranscribe({args.begin() + 1, args.end()});
  if (command == "migrate-store") return parley::app::runMigrateStore({args.begin() + 1, args.end()});
  if (command == "diarize") return parley::app::runDiarize({args.begin() + 1, args.end()});
  if (command == "render-composite") return parley::app::runRenderComposite({args.begin() + 1, args.end()});
  std::cerr << "parley: unknown command \"" << command << "\"\n\n" << kUsage;
  return 2;
}
