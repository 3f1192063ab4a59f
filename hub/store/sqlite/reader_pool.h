// Connections that only read, one per thread reading at the moment, each keeping its prepared
// statements: WAL readers never wait for the writer, and a connection used once is used again.
//
// Thread-safety: take() may be called from any thread; a Reader is used by its holder alone.
#ifndef GUICHET_HUB_STORE_SQLITE_READER_POOL_H
#define GUICHET_HUB_STORE_SQLITE_READER_POOL_H

#include "hub/store/sqlite/database.h"

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace guichet::store::sqlite {

class ReaderPool {
 public:
  explicit ReaderPool(std::filesystem::path file) : file_(std::move(file)) {}

  // A connection on loan, given back to the pool when it goes out of scope.
  class Reader {
   public:
    Reader(ReaderPool& pool, std::unique_ptr<Database> db) : pool_(pool), db_(std::move(db)) {}
    ~Reader() { pool_.give_back(std::move(db_)); }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    Database& operator*() { return *db_; }
    Database* operator->() { return db_.get(); }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Database> db_;
  };

  Reader take();

 private:
  void give_back(std::unique_ptr<Database> db);

  // Idle connections beyond this are closed: enough for the HTTP and dispatch threads of one hub.
  static constexpr size_t kMaxIdle = 48;
  static constexpr int kCacheKiB = 1024;

  const std::filesystem::path file_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Database>> idle_;
};

}  // namespace guichet::store::sqlite

#endif
