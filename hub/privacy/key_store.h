// Per-case data keys, each wrapped (sealed) by the master key, kept in their own database file
// beside the main store. Erasing a case destroys its key: its sealed data, in the main database
// or in any backup of it, can no longer be opened. (Back up keys.db on its own schedule, and never
// restore an old copy of it after an erasure.)
//
// Master key: <data dir>/master.key (64 hex characters, mode 600), created on first use. `rotate`
// re-wraps every case key under a new master key without touching the sealed data; it is crash
// safe: the new key is written first as master.key.next, rows remember which master wraps them,
// and master.key is replaced only after the rows are committed.
//
// Processes: every hub serving the data directory shares it (FileLock on keys.lock); rotate() is
// for a KeyStore opened `exclusive` (`guichet keys rotate`, hubs stopped), because a running hub
// would go on wrapping new keys with the master key a rotation retires.
//
// Writes: a new key is committed before its case is, and concurrent intakes share one commit of
// keys.db (GroupCommit), as they share one of the main store.
//
// Errors: keys.db failing (disk full, I/O error) throws store::StoreUnavailable, as the main store does.
// Thread-safety: every method may be called from any thread.
#ifndef GUICHET_HUB_PRIVACY_KEY_STORE_H
#define GUICHET_HUB_PRIVACY_KEY_STORE_H

#include "hub/privacy/file_lock.h"

#include "hub/store/sqlite/database.h"
#include "hub/store/sqlite/group_commit.h"
#include "hub/store/sqlite/reader_pool.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace guichet::privacy {

class KeyStore {
 public:
  // Throws LockBusy when another process holds the data directory in a way `mode` excludes.
  explicit KeyStore(const std::filesystem::path& data_dir, FileLock::Mode mode = FileLock::Mode::shared);

  // A new random key for the case, stored wrapped; returns the raw key.
  std::string create(const std::string& case_id);
  // The case's raw key; nothing when the case was erased (or never existed).
  std::optional<std::string> find(const std::string& case_id);
  void destroy(const std::string& case_id);
  // Re-wraps every case key under a fresh master key; returns how many.
  size_t rotate();

 private:
  std::string wrap(const std::string& case_id, const std::string& key) const;
  void load_master_keys();

  std::filesystem::path dir_;
  FileLock lock_;
  store::sqlite::Database writer_;
  store::sqlite::GroupCommit group_commit_;
  store::sqlite::ReaderPool readers_;
  std::mutex masters_mutex_;                    // masters_ and current_ change in rotate()
  std::map<std::string, std::string> masters_;  // id (fingerprint) -> key
  std::string current_;                         // id of master.key
};

}  // namespace guichet::privacy

#endif
