#include "hub/privacy/file_lock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace guichet::privacy {

FileLock::FileLock(const std::filesystem::path& file, Mode mode)
    : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
  if (fd_ < 0) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd_, (mode == Mode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    int error = errno;
    ::close(fd_);
    if (error == EWOULDBLOCK) throw LockBusy(file.string() + " is locked by another process");
    throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(error));
  }
}

FileLock::~FileLock() { ::close(fd_); }

}  // namespace guichet::privacy
