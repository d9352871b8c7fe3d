#pragma once
// Everything Parley keeps, as one object: rooms and their history, signed-in users'
// sessions. Two backends: SQLite (one machine, the default) and PostgreSQL (a cluster).
// openStore picks one from a location.
#include <memory>
#include <string>

#include "store/RoomStore.h"
#include "store/UserSessionStore.h"

namespace parley::store {

class Store : public RoomStore, public UserSessionStore {
 public:
  // Where it is, for logs (never a password).
  virtual std::string describe() const = 0;
};

// `location`: postgresql://USER@HOST[:PORT]/DB (or postgres://), sqlite:PATH, or a plain
// path to a SQLite file. Opens it and applies pending migrations; throws StoreError.
std::unique_ptr<Store> openStore(const std::string& location);

}  // namespace parley::store
