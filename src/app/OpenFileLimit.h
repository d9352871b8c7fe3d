#pragma once
// Every participant holds a WebSocket and every page load a connection: the default soft
// limit of 1,024 open files would cap a server near a thousand people whatever its cores.
// The server raises its soft limit to the hard one at start, as nginx and Go programs do.
#include <cstdint>

namespace parley::app {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the limit in force.
std::uint64_t raiseOpenFileLimit();

}  // namespace parley::app
