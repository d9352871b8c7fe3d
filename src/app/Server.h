#pragma once
// `parley serve`: wires the store, the room registry and the HTTP front end on the
// control-plane io_context, and runs until SIGINT or SIGTERM.
#include "app/Options.h"

namespace parley::app {

// Returns the process exit code.
int runServer(const ServeOptions& options);

}  // namespace parley::app
