// An advisory lock on a file (flock), held for the life of the object. Hubs serving one data
// directory share it; `guichet keys rotate` needs it alone, since a hub still running would keep
// wrapping new case keys with the master key the rotation retires.
//
// Thread-safety: not needed; one per process and purpose.
#ifndef GUICHET_HUB_PRIVACY_FILE_LOCK_H
#define GUICHET_HUB_PRIVACY_FILE_LOCK_H

#include <filesystem>
#include <stdexcept>

namespace guichet::privacy {

// Another process holds the lock in a way that excludes this one.
class LockBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FileLock {
 public:
  enum class Mode { shared, exclusive };

  // Creates the file if needed. Never waits: throws LockBusy when the lock is not available.
  FileLock(const std::filesystem::path& file, Mode mode);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace guichet::privacy

#endif
