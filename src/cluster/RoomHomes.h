#pragma once
// Which node is a room's home: the one that runs its control plane (participant list, chat,
// moderation, transcription), so that whichever node a person reaches, the room is one.
// Kept in Redis under parley:room:{id}:home. The first node asked about a room without a
// living home claims it; a home whose node record has expired (the node died, or lost Redis
// for longer than the time to live) is taken over by the next node asked, in one atomic step
// (a Lua script), so two nodes never both believe they won the same room.
//
// It also holds the cluster's relay key: a random secret the first node stores in Redis
// and every node reads, which a node sends with the signaling it relays to a room's home so
// that the home trusts what it says of the client (its address), and nobody else can.
//
// A home keeps asserting its rooms (confirm): a node that lost Redis for longer than the time
// to live, or whose Redis restarted empty, may find on its return that another node took one
// of its rooms meanwhile. It then learns which, and hands them over (app/ClusterNode), so that
// a room is never two rooms for long; the rooms nobody took are claimed again.
//
// Threads: locate() and confirm() may be called from any thread; each answer is handed to
// `post` (which must run it on the caller's thread: the control thread's io_context), never
// run on the homes' own thread. relayKey() from any thread.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/NodeRecord.h"
#include "cluster/RedisConnection.h"

namespace parley::cluster {

// What locate() found: the room's home node (as its record in Redis says now), or why it
// could not tell.
struct RoomHomeAnswer {
  std::optional<NodeRecord> home;  // nothing when Redis could not be asked
  std::string relayKey;            // the cluster's, to relay to the home with
  std::string error;
};

class RoomHomes {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using Answer = std::function<void(RoomHomeAnswer)>;

  RoomHomes(RedisUrl redis, std::string nodeId, Post post,
            std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  ~RoomHomes();
  RoomHomes(const RoomHomes&) = delete;
  RoomHomes& operator=(const RoomHomes&) = delete;

  // The room's home, claimed by this node if it has none that lives. At most kMaxWaiting
  // questions wait; past that, the answer is an error at once (through `post` too).
  void locate(const std::string& roomId, Answer answer);
  // The rooms this node serves as their home: each one's home is confirmed (its lifetime
  // renewed) or claimed again if it has none that lives; `answer` gets the rooms another
  // living node holds now, which this node must give up. No answer while Redis does not
  // answer or this node is not registered (nothing can be judged then). One confirmation at
  // a time: a newer one replaces one still waiting.
  using Lost = std::function<void(std::vector<std::string>)>;
  void confirm(std::vector<std::string> roomIds, Lost answer);
  // The cluster's relay key; empty until Redis has been reached once.
  std::string relayKey() const;
  // `nodeId`'s port refused a connection: its process is gone. Its record is deleted (as if
  // its time to live had run out), so the next question about one of its rooms moves it.
  void forgetNode(const std::string& nodeId);

  static constexpr std::size_t kMaxWaiting = 1024;
  // Rooms confirmed by one script call (one round trip to Redis for each this many).
  static constexpr std::size_t kConfirmBatch = 100;
  // A home is kept this long after it was last claimed or confirmed (a room nobody joins
  // for a day loses it; the next join claims it again).
  static constexpr std::chrono::hours kHomeLifetime{24};

 private:
  struct Question {
    std::string roomId;
    Answer answer;
  };
  struct Confirmation {
    std::vector<std::string> roomIds;
    Lost answer;
  };
  void run();
  RoomHomeAnswer ask(RedisConnection& redis, const std::string& roomId);
  void fetchRelayKey(RedisConnection& redis);
  // The rooms of `confirmation` that another living node holds; nothing if Redis failed.
  std::optional<std::vector<std::string>> confirmHomes(RedisConnection& redis, const std::vector<std::string>& roomIds);

  RedisUrl redisUrl_;
  std::string nodeId_;
  Post post_;
  std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Question> questions_;
  std::deque<std::string> forgotten_;  // nodes whose records are to be deleted
  std::optional<Confirmation> confirmation_;
  std::string relayKey_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace parley::cluster
