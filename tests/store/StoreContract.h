#pragma once
// The store tests every backend passes: a backend names itself and opens a fresh, empty
// store for each test.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "store/Store.h"

namespace parley::store {

struct StoreBackend {
  std::string name;
  std::function<std::unique_ptr<Store>()> open;
};

class StoreContract : public ::testing::TestWithParam<StoreBackend> {};

inline std::string backendName(const ::testing::TestParamInfo<StoreBackend>& info) { return info.param.name; }

}  // namespace parley::store
