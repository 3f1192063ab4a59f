#include "hub/store/sqlite/group_commit.h"

#include "hub/store/store.h"

namespace guichet::store::sqlite {

void GroupCommit::run(Body body) {
  Pending mine;
  mine.body = std::move(body);
  std::unique_lock lock(mutex_);
  queue_.push_back(&mine);
  mine.wake.wait(lock, [&] { return mine.done || queue_.front() == &mine; });
  if (!mine.done) {
    std::vector<Pending*> group;
    for (auto it = queue_.begin(); it != queue_.end() && group.size() < kMaxGroup; ++it) group.push_back(*it);
    lock.unlock();
    commit(group);
    if (between_groups_) between_groups_();
    lock.lock();
    for (Pending* pending : group) {
      queue_.pop_front();
      pending->done = true;
      if (pending != &mine) pending->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  if (mine.error) std::rethrow_exception(mine.error);
}

void GroupCommit::commit(const std::vector<Pending*>& group) {
  auto fail_all = [&](const std::exception& e) {
    auto error = std::make_exception_ptr(StoreUnavailable(e.what()));
    for (Pending* pending : group) pending->error = error;
  };
  try {
    writer_.query("BEGIN IMMEDIATE").run();
  } catch (const std::exception& e) {
    fail_all(e);
    return;
  }
  try {
    for (Pending* pending : group) {
      writer_.query("SAVEPOINT one_write").run();
      try {
        pending->body(writer_);
        writer_.query("RELEASE one_write").run();
      } catch (...) {
        pending->error = std::current_exception();
        writer_.query("ROLLBACK TO one_write").run();
        writer_.query("RELEASE one_write").run();
      }
    }
    writer_.query("COMMIT").run();
  } catch (const std::exception& e) {
    // The savepoint or commit statements themselves failed: the storage is at fault, and nothing
    // of the group may be reported as stored.
    if (!sqlite3_get_autocommit(writer_.handle())) {
      try {
        writer_.query("ROLLBACK").run();
      } catch (const std::exception&) {
        // Nothing more can be undone; the connection's next BEGIN tells whether it recovered.
      }
    }
    fail_all(e);
  }
}

}  // namespace guichet::store::sqlite
