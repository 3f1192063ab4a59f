#include "hub/store/sqlite/checkpointer.h"

namespace guichet::store::sqlite {

Checkpointer::Checkpointer(Database& writer, const std::filesystem::path& file, int log_pages)
    : writer_(writer), connection_(file, false), log_pages_(log_pages) {
  writer_.execute("PRAGMA wal_autocheckpoint=0");
  sqlite3_wal_hook(writer_.handle(), &Checkpointer::on_commit, this);
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int Checkpointer::on_commit(void* self, sqlite3*, const char*, int pages) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (pages < checkpointer->log_pages_) return SQLITE_OK;
  {
    std::lock_guard lock(checkpointer->mutex_);
    checkpointer->due_ = true;
  }
  checkpointer->wake_.notify_one();
  return SQLITE_OK;
}

void Checkpointer::between_transactions() {
  if (!copied_) return;
  // A failure here (I/O) leaves the log as it is: the next bulk copy tries again, and a failing
  // disk shows at the writer's next commit.
  sqlite3_wal_checkpoint_v2(writer_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    copied_ = false;
  }
  wake_.notify_one();
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    // No new bulk copy before the writer has finished the last one: both would compete for the
    // checkpoint lock, and the writer's pass, the one that lets the log restart, would lose.
    wake_.wait(lock, [&] { return stopping_ || (due_ && !copied_); });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    int status = sqlite3_wal_checkpoint_v2(connection_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    if (status == SQLITE_OK) copied_ = true;
  }
}

}  // namespace guichet::store::sqlite
