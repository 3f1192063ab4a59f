// Copies the write-ahead log back into the database file without stalling the writer. SQLite does
// it by default inside whichever commit makes the log pass 1,000 pages: that commit, and every
// write queued behind it in the group commit, then waits for thousands of page writes and an fsync
// of the database file. Here a thread of its own copies the bulk (a PASSIVE checkpoint, which
// never blocks the writer); the log can only start afresh once it is copied in full, which a
// steady stream of commits would never let a concurrent pass finish, so the writer copies the few
// pages committed meanwhile between two of its transactions.
//
// Thread-safety: the hook and between_transactions() run on the writer's thread, the bulk copies on
// this object's own.
#ifndef GUICHET_HUB_STORE_SQLITE_CHECKPOINTER_H
#define GUICHET_HUB_STORE_SQLITE_CHECKPOINTER_H

#include "hub/store/sqlite/database.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace guichet::store::sqlite {

class Checkpointer {
 public:
  // Takes checkpointing of `file` away from `writer` (which must outlive this object): a bulk copy
  // starts once the log holds `log_pages` pages.
  Checkpointer(Database& writer, const std::filesystem::path& file, int log_pages = 1000);
  ~Checkpointer();  // stops the thread; the last connection to close checkpoints what is left
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Called by the writer with no transaction open: after a bulk copy, copies what was committed
  // during it, so that the next transaction restarts the log.
  void between_transactions();

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int pages);
  void run();

  Database& writer_;
  Database connection_;
  const int log_pages_;
  std::atomic<bool> copied_{false};  // a bulk copy ended and the writer has not finished it yet
  std::mutex mutex_;                 // copied_ changes under it, so that run() sees every change
  std::condition_variable wake_;
  bool due_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace guichet::store::sqlite

#endif
