#pragma once
// MailServer: the project's real SMTP server (scripts/mailserver, Debian's aiosmtpd) on
// 127.0.0.1:<free port>, delivering into <work_dir>/mail/<address>/ — the layout the demo uses
// under its data dir, so a hub started with the same data dir sees the same tree. Its log is
// <work_dir>/mailserver.log.
//
// The constructor returns once the server accepts connections and throws std::runtime_error if it
// does not. The destructor stops (SIGTERM) and reaps it. Owns the process, not work_dir (use a
// TempDir that outlives it). Not copyable or movable; thread-safety as ChildProcess, but maildir()
// returns a reader any thread may use.

#include <cstdint>
#include <filesystem>
#include <string>

#include "guichet/test/child_process.hpp"
#include "guichet/test/maildir.hpp"

namespace guichet::test {

class MailServer {
 public:
  explicit MailServer(const std::filesystem::path& work_dir);

  std::string host() const { return "127.0.0.1"; }
  std::uint16_t port() const noexcept { return port_; }
  const std::filesystem::path& maildir_root() const noexcept { return maildir_root_; }
  Maildir maildir() const { return Maildir(maildir_root_); }
  ChildProcess& process() noexcept { return process_; }
  std::string log() const { return process_.log(); }
  // SIGTERM and reap; returns the exit status (0 for a clean stop).
  int stop() { return process_.terminate(); }

 private:
  std::uint16_t port_;
  std::filesystem::path maildir_root_;
  ChildProcess process_;
};

}  // namespace guichet::test
