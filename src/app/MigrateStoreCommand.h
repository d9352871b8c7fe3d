#pragma once
#include <string>
#include <vector>

namespace parley::app {

// `parley migrate-store --from sqlite:PATH --to postgresql://...`: moves a single machine's
// store into the PostgreSQL of a cluster. Returns the process's exit status.
int runMigrateStore(const std::vector<std::string>& args);

}  // namespace parley::app
