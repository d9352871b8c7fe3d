// The server's shared recognizers: made only when there is speech to decode, bounded in
// threads and queue, freed when idle, and jobs of an owner that goes are cancelled.
#include "transcribe/RecognizerPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace parley::transcribe {

namespace {

std::atomic<int> alive{0}, made{0};

class CountedRecognizer : public Recognizer {
 public:
  CountedRecognizer() {
    ++alive;
    ++made;
  }
  ~CountedRecognizer() override { --alive; }
  std::vector<Word> recognize(std::span<const float>) override { return {}; }
  std::string name() const override { return "counted"; }
};

// A gate the jobs wait at, so the test decides when they finish.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = false;
  int waiting = 0;
  void pass() {
    std::unique_lock lock(mutex);
    ++waiting;
    changed.notify_all();
    changed.wait(lock, [this] { return open; });
    --waiting;
  }
  bool awaitWaiting(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(20), [&] { return waiting >= n; });
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
};

template <typename Predicate>
bool eventually(Predicate p) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!p()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

TEST(RecognizerPool, MakesRecognizersOnlyForSpeechAndBoundsThreadsAndQueue) {
  alive = made = 0;
  Gate gate;
  {
    RecognizerPool pool([] { return std::make_unique<CountedRecognizer>(); }, {2, 3, std::chrono::minutes(1)});
    EXPECT_EQ(pool.threads(), 2u);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(made.load(), 0) << "no recognizer before anyone speaks";
    int owner = 0;
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(pool.submit(&owner, [&](Recognizer&) { gate.pass(); }));
    ASSERT_TRUE(gate.awaitWaiting(2));
    EXPECT_EQ(pool.busy(), 2u);
    EXPECT_EQ(pool.recognizers(), 2u);
    // Both threads busy: three more wait, the next is refused.
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(pool.submit(&owner, [&](Recognizer&) { gate.pass(); }));
    EXPECT_FALSE(pool.submit(&owner, [](Recognizer&) {}));
    EXPECT_EQ(pool.queued(), 3u);
    gate.release();
    EXPECT_TRUE(eventually([&] { return pool.busy() == 0 && pool.queued() == 0; }));
    EXPECT_EQ(made.load(), 2) << "each thread keeps its recognizer between utterances";
  }
  EXPECT_EQ(alive.load(), 0);
}

TEST(RecognizerPool, FreesIdleRecognizers) {
  alive = made = 0;
  RecognizerPool pool([] { return std::make_unique<CountedRecognizer>(); }, {1, 4, std::chrono::milliseconds(100)});
  int owner = 0;
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.submit(&owner, [&](Recognizer&) { ran = true; }));
  ASSERT_TRUE(eventually([&] { return ran.load(); }));
  EXPECT_TRUE(eventually([&] { return alive.load() == 0 && pool.recognizers() == 0; }));
  ran = false;
  ASSERT_TRUE(pool.submit(&owner, [&](Recognizer&) { ran = true; }));
  ASSERT_TRUE(eventually([&] { return ran.load(); }));
  EXPECT_EQ(made.load(), 2) << "made again when speech came back";
}

TEST(RecognizerPool, WarmsRecognizersAheadOfSpeechWhenAsked) {
  alive = made = 0;
  RecognizerPool pool([] { return std::make_unique<CountedRecognizer>(); }, {3, 4, std::chrono::minutes(1)});
  pool.warm(2);
  EXPECT_TRUE(eventually([&] { return pool.recognizers() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(made.load(), 2) << "two, as asked, not one per thread";
  pool.warm(5);
  EXPECT_TRUE(eventually([&] { return pool.recognizers() == 3; })) << "never more than threads";
}

TEST(RecognizerPool, CancelRemovesAnOwnersWaitingJobsAndDestroysThem) {
  Gate gate;
  RecognizerPool pool([] { return std::make_unique<CountedRecognizer>(); }, {1, 8, std::chrono::minutes(1)});
  int busyOwner = 0, leaving = 0, staying = 0;
  ASSERT_TRUE(pool.submit(&busyOwner, [&](Recognizer&) { gate.pass(); }));
  ASSERT_TRUE(gate.awaitWaiting(1));
  auto token = std::make_shared<int>(0);
  std::atomic<int> leavingRan{0}, stayingRan{0};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.submit(&leaving, [&, token](Recognizer&) { ++leavingRan; }));
  ASSERT_TRUE(pool.submit(&staying, [&](Recognizer&) { ++stayingRan; }));
  EXPECT_EQ(token.use_count(), 4);
  EXPECT_EQ(pool.cancel(&leaving), 3u);
  EXPECT_EQ(token.use_count(), 1) << "cancelled jobs are destroyed, releasing what they hold";
  gate.release();
  EXPECT_TRUE(eventually([&] { return stayingRan.load() == 1; }));
  EXPECT_EQ(leavingRan.load(), 0);
}

TEST(RecognizerPool, AFactoryThatFailsDropsTheJobAndCountsIt) {
  RecognizerPool pool([]() -> std::unique_ptr<Recognizer> { throw RecognizerError("no model"); },
                      {1, 4, std::chrono::minutes(1)});
  int owner = 0;
  auto token = std::make_shared<int>(0);
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.submit(&owner, [&, token](Recognizer&) { ran = true; }));
  EXPECT_TRUE(eventually([&] { return pool.failures() == 1 && token.use_count() == 1; }));
  EXPECT_FALSE(ran.load());
}

}  // namespace parley::transcribe
