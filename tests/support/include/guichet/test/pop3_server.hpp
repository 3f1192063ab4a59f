#pragma once
// Pop3Server: the project's real POP3 server (scripts/pop3server, Debian's dovecot) on
// 127.0.0.1:<free port>, serving the Maildirs under <work_dir>/mail/ that a MailServer started
// on the same work_dir fills. Each account's password is generated on start into
// <work_dir>/secrets.json ("pop3.<address>"), as the demo does; password() reads it. Its
// configuration and runtime files are under <work_dir>/pop3/, its log is <work_dir>/pop3.log.
//
// The constructor returns once dovecot accepts connections and throws std::runtime_error if it
// does not. The destructor stops (SIGTERM) and reaps it. Owns the process, not work_dir. Not
// copyable or movable; thread-safety as ChildProcess.
//
// Pop3Mailbox: one POP3 session's view of a mailbox (Poco POP3ClientSession): list, read, delete.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "guichet/test/child_process.hpp"

namespace guichet::test {

class Pop3Server {
 public:
  Pop3Server(const std::filesystem::path& work_dir, const std::vector<std::string>& accounts);

  std::string host() const { return "127.0.0.1"; }
  std::uint16_t port() const noexcept { return port_; }
  // Throws std::runtime_error when the account has no password.
  std::string password(const std::string& address) const;
  ChildProcess& process() noexcept { return process_; }
  std::string log() const { return process_.log(); }
  int stop() { return process_.terminate(); }

 private:
  std::filesystem::path work_dir_;
  std::uint16_t port_;
  ChildProcess process_;
};

// Logs in to `address` and returns every message in the mailbox as raw RFC 5322 text, oldest
// first; deletes them (POP3 DELE) when `remove` is set. Throws on a refused login.
std::vector<std::string> fetch_mail(const Pop3Server& server, const std::string& address, bool remove = false);

}  // namespace guichet::test
