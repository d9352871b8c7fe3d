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

// A room as most tests need it: no owner, public.
inline RoomRecord roomRecord(std::string id, std::string name, std::string tokenHash, std::int64_t createdAt) {
  RoomRecord room;
  room.id = std::move(id);
  room.name = std::move(name);
  room.moderatorTokenSha256 = std::move(tokenHash);
  room.createdAt = createdAt;
  return room;
}

class StoreContract : public ::testing::TestWithParam<StoreBackend> {};

inline std::string backendName(const ::testing::TestParamInfo<StoreBackend>& info) { return info.param.name; }

}  // namespace parley::store
