// libFuzzer: a node record as read from Redis (another node, or anything else that wrote a
// key under parley:node:) and a --cluster URL: a refusal or a record, never a crash; a record
// accepted once survives being written and read again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cluster/NodeRecord.h"
#include "cluster/RedisConnection.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (const auto node = parley::cluster::decodeNodeRecord(input)) {
    const auto again = parley::cluster::decodeNodeRecord(parley::cluster::encodeNodeRecord(*node));
    if (!again || again->id != node->id || again->address != node->address || again->load.streams != node->load.streams) {
      std::abort();
    }
  }
  std::string error;
  (void)parley::cluster::parseRedisUrl(input, error);
  return 0;
}
