// Group commit for the one SQLite writer: concurrent write transactions are run one after the
// other inside a single BEGIN IMMEDIATE ... COMMIT, so a burst of intakes costs one WAL fsync
// instead of one each. Each transaction still happens entirely or not at all: it runs inside its
// own SAVEPOINT, and one that throws is rolled back to it without touching its neighbours. A caller
// returns only once the COMMIT that holds its change is durable.
//
// The first caller in the queue leads: it takes every transaction queued so far, commits them and
// wakes their callers; those who queued meanwhile form the next group (as LevelDB's writer queue).
// Thread-safety: run() may be called from any thread.
#ifndef GUICHET_HUB_STORE_SQLITE_GROUP_COMMIT_H
#define GUICHET_HUB_STORE_SQLITE_GROUP_COMMIT_H

#include "hub/store/sqlite/database.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

namespace guichet::store::sqlite {

class GroupCommit {
 public:
  using Body = std::function<void(Database&)>;

  // `writer` is the only connection that writes; it must outlive this object. `between_groups`, when
  // given, runs after each group's commit, on the writer, before the next group begins.
  explicit GroupCommit(Database& writer, std::function<void()> between_groups = {})
      : writer_(writer), between_groups_(std::move(between_groups)) {}

  // Runs `body` in a group and waits for its commit. Rethrows what `body` threw (its changes are
  // then undone); throws StoreUnavailable when the group could not be begun or committed.
  void run(Body body);

 private:
  struct Pending {
    Body body;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable wake;
  };

  // Runs `group` in one transaction; sets each one's error. Called by the leader without mutex_.
  void commit(const std::vector<Pending*>& group);

  // Enough to amortise the fsync, few enough that the first caller of a group does not wait long.
  static constexpr size_t kMaxGroup = 64;

  Database& writer_;
  const std::function<void()> between_groups_;
  std::mutex mutex_;
  std::deque<Pending*> queue_;
};

}  // namespace guichet::store::sqlite

#endif
