#pragma once
#include <cstdint>
#include <string>

namespace parley {

// Wall-clock time in unix milliseconds: what is stored and shown.
std::int64_t unixMillisNow();

// Monotonic time in microseconds: for intervals, timers and packet arrival.
std::int64_t steadyMicrosNow();

// "2026-11-27T07:18:36.123Z".
std::string formatIsoTime(std::int64_t unixMillis);

}  // namespace parley
