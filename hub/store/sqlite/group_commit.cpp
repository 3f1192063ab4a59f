#include "hub/store/sqlite/group_commit.h"

#include "hub/store/store.h"

#include <vector>

namespace guichet::store {

using namespace Poco::Data::Keywords;

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
  auto fail_all = [&](const Poco::Exception& e) {
    auto error = std::make_exception_ptr(StoreUnavailable("database unavailable: " + e.displayText()));
    for (Pending* pending : group) pending->error = error;
  };
  try {
    writer_ << "BEGIN IMMEDIATE", now;
  } catch (const Poco::Exception& e) {
    fail_all(e);
    return;
  }
  try {
    for (Pending* pending : group) {
      writer_ << "SAVEPOINT one_write", now;
      try {
        pending->body(writer_);
        writer_ << "RELEASE one_write", now;
      } catch (...) {
        pending->error = std::current_exception();
        writer_ << "ROLLBACK TO one_write", now;
        writer_ << "RELEASE one_write", now;
      }
    }
    writer_ << "COMMIT", now;
  } catch (const Poco::Exception& e) {
    // The savepoint or commit statements themselves failed: the storage is at fault, and nothing
    // of the group may be reported as stored.
    try {
      writer_ << "ROLLBACK", now;
    } catch (const Poco::Exception&) {
      // The failure may already have ended the transaction; nothing is left to undo.
    }
    fail_all(e);
  }
}

}  // namespace guichet::store
