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

#include <Poco/Data/Session.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>

namespace guichet::store {

class GroupCommit {
 public:
  using Body = std::function<void(Poco::Data::Session&)>;

  // `writer` is the only session that writes; it must outlive this object.
  explicit GroupCommit(Poco::Data::Session& writer) : writer_(writer) {}

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

  Poco::Data::Session& writer_;
  std::mutex mutex_;
  std::deque<Pending*> queue_;
};

}  // namespace guichet::store

#endif
