#pragma once
// ChildProcess: one real process started by a test (hub, simulator, mail server), owned by this
// object.
//
// Contract: the process is launched by the constructor (Poco::Process::launch) with stdin from
// /dev/null and stdout+stderr appended to Options::log_file. The destructor stops it if it still
// runs (terminate(): SIGTERM, then SIGKILL after the grace) and always reaps it, so a failing test
// leaves no zombie and no listening port behind. Every wait_for_* returns as soon as its condition
// holds and throws std::runtime_error on timeout *or as soon as the process exits*, with the
// process's name, exit status and the tail of its log in the message: an uncaught one fails the
// gtest with everything needed to see why.
//
// Ownership: not copyable, not movable (hold it in std::optional or std::unique_ptr to start it
// later or restart it). Thread-safety: none; use an object from one thread. Processes the child
// itself spawns are its own business: it should stop them on SIGTERM.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::test {

class ChildProcess {
 public:
  struct Options {
    std::filesystem::path command;  // an absolute path, or a name looked up on PATH
    std::vector<std::string> args;
    std::filesystem::path log_file;                // required; appended to
    std::map<std::string, std::string> env;        // added to, or overriding, the test's environment
    std::filesystem::path working_dir;             // default: the test's current directory
    std::string name;                              // for messages; default: the command's file name
    std::chrono::milliseconds grace = std::chrono::seconds(5);  // SIGTERM → SIGKILL in terminate()
  };

  explicit ChildProcess(Options options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  const std::string& name() const noexcept { return options_.name; }
  const std::filesystem::path& log_file() const noexcept { return options_.log_file; }

  // Reaps the process when it has exited, so exit_status() is then known.
  bool running();
  // Exit code, or 128 + signal number when a signal ended it (the shell's convention); empty
  // while it runs.
  std::optional<int> exit_status();

  void wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Until a GET on url answers 2xx.
  void wait_for_http(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void wait_for_file(const std::filesystem::path& file,
                     std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Until the log contains text.
  void wait_for_log(std::string_view text, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Until the process exits on its own; returns its exit status. Throws on timeout (the process
  // is left running: the destructor still stops it).
  int wait_for_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // SIGTERM, then SIGKILL if it is still there after the grace; reaps; returns the exit status.
  // Calling it on a process that already exited just returns that status.
  int terminate();
  int terminate(std::chrono::milliseconds grace);
  // SIGKILL (a crash, as far as the rest of the system can tell); reaps; returns the exit status.
  int kill9();
  // Any other signal, e.g. SIGSTOP / SIGCONT to make a server hang and come back.
  void send_signal(int signum);

  std::string log() const;
  std::string log_tail(std::size_t lines = 30) const;

 private:
  bool reap(bool block);
  [[noreturn]] void fail(std::string_view what);
  template <class Condition>
  void wait_until(Condition condition, std::chrono::milliseconds timeout, std::string_view what);

  Options options_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace guichet::test
