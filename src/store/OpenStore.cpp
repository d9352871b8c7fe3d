#include "store/PgConnection.h"
#include "store/PostgresStore.h"
#include "store/SqliteRoomStore.h"
#include "store/Store.h"

namespace parley::store {

std::unique_ptr<Store> openStore(const std::string& location) {
  if (isPostgresUrl(location)) return std::make_unique<PostgresStore>(location);
  const std::string path = location.starts_with("sqlite:") ? location.substr(7) : location;
  if (path.empty()) throw StoreError("no SQLite path in \"" + location + "\"");
  return std::make_unique<SqliteRoomStore>(path);
}

}  // namespace parley::store
