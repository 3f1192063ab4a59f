#include "hub/store/sqlite/reader_pool.h"

namespace guichet::store::sqlite {

ReaderPool::Reader ReaderPool::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Database> db = std::move(idle_.back());
      idle_.pop_back();
      return Reader(*this, std::move(db));
    }
  }
  auto db = std::make_unique<Database>(file_, false);
  // Nothing read through this connection may write: a bug would show as an error, not as a change.
  // A small page cache each: there is one reader per thread, the pages they share are in the
  // kernel's cache anyway, and the hub's memory must not grow with its thread count.
  db->execute("PRAGMA query_only=1; PRAGMA cache_size=-" + std::to_string(kCacheKiB));
  return Reader(*this, std::move(db));
}

void ReaderPool::give_back(std::unique_ptr<Database> db) {
  if (!db) return;
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(db));
}

}  // namespace guichet::store::sqlite
