#include "app/MigrateStoreCommand.h"

#include <chrono>
#include <iostream>

#include "store/Database.h"
#include "store/PgConnection.h"
#include "store/StoreCopy.h"

namespace parley::app {

namespace {
const char* kUsage =
    "Usage: parley migrate-store --from sqlite:PATH --to postgresql://USER@HOST[:PORT]/DB\n"
    "\n"
    "Copies every room, participant's history, chat message, transcript and signed-in\n"
    "session of a SQLite store (a stopped Parley's DIR/parley.db) into an empty PostgreSQL\n"
    "database, in one transaction: all of it or nothing. The source is left as it was\n"
    "(brought to this version's schema first, as `parley serve` would).\n";
}  // namespace

int runMigrateStore(const std::vector<std::string>& args) {
  std::string from, to;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    std::string* target = arg == "--from" ? &from : arg == "--to" ? &to : nullptr;
    if (!target || i + 1 >= args.size()) {
      std::cerr << "parley migrate-store: " << (target ? arg + " needs a value" : "unknown argument \"" + arg + "\"")
                << "\n\n" << kUsage;
      return 2;
    }
    *target = args[++i];
  }
  if (!from.starts_with("sqlite:") || from.size() == 7) {
    std::cerr << "parley migrate-store: --from must be sqlite:PATH\n\n" << kUsage;
    return 2;
  }
  if (!store::isPostgresUrl(to)) {
    std::cerr << "parley migrate-store: --to must be postgresql://USER@HOST[:PORT]/DB\n\n" << kUsage;
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  try {
    const auto report = store::copySqliteToPostgres(from.substr(7), to);
    std::int64_t total = 0;
    for (const auto& [table, rows] : report.rowsPerTable) {
      std::cout << table << ": " << rows << " rows\n";
      total += rows;
    }
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "copied " << total << " rows in " << seconds << " s\n";
    return 0;
  } catch (const store::StoreError& e) {
    std::cerr << "parley migrate-store: " << e.what() << "; nothing was copied\n";
    return 1;
  }
}

}  // namespace parley::app
