#pragma once
// Where tests find recordings: the small ones committed under tests/fixtures, and the large
// evaluation sets of ../shared/data, which a clone may not have. A test that needs an
// evaluation set skips, naming what is missing, rather than passing without it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace parley::testdata {

inline std::string fixture(const std::string& relative) { return std::string(PARLEY_TEST_FIXTURES) + "/" + relative; }
inline std::string speech(const std::string& relative) { return fixture("speech/" + relative); }
inline std::string librispeech(const std::string& relative) { return speech("librispeech/" + relative); }
inline std::string evaluation(const std::string& relative) { return std::string(PARLEY_SHARED_DATA) + "/" + relative; }

}  // namespace parley::testdata

// In a test body: skips the test unless the evaluation data at `path` exists.
#define PARLEY_REQUIRE_EVALUATION_DATA(path)                                                      \
  do {                                                                                          \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "evaluation set not found: " << (path); \
  } while (0)
