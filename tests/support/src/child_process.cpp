#include "guichet/test/child_process.hpp"

#include <Poco/Exception.h>
#include <Poco/Process.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "guichet/test/http_client.hpp"
#include "guichet/test/net.hpp"
#include "guichet/test/temp_dir.hpp"

namespace guichet::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(50);

// Poco 1.11 can only hand a child's output to pipes, which need a thread draining them for the
// child's whole life or the child blocks on a full pipe. The shell opens the log file and then
// execs the command, so the output goes straight to the file and the pid Poco returns is the
// command's own (exec keeps it).
constexpr const char* kRedirectScript = "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null";

}  // namespace

ChildProcess::ChildProcess(Options options) : options_(std::move(options)) {
  if (options_.command.empty()) {
    throw std::invalid_argument("ChildProcess: command is required");
  }
  if (options_.log_file.empty()) {
    throw std::invalid_argument("ChildProcess: log_file is required");
  }
  if (options_.name.empty()) {
    options_.name = options_.command.filename().string();
  }
  if (options_.log_file.has_parent_path()) {
    std::filesystem::create_directories(options_.log_file.parent_path());
  }

  Poco::Process::Args args{"-c", kRedirectScript, "guichet-child", options_.log_file.string(),
                           options_.command.string()};
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  Poco::Process::Env env(options_.env.begin(), options_.env.end());
  const auto cwd = options_.working_dir.empty() ? std::filesystem::current_path() : options_.working_dir;
  try {
    Poco::ProcessHandle handle = Poco::Process::launch("/bin/sh", args, cwd.string(), nullptr, nullptr, nullptr, env);
    pid_ = handle.id();
  } catch (const Poco::Exception& error) {
    throw std::runtime_error("cannot start " + options_.name + ": " + error.displayText());
  }
}

ChildProcess::~ChildProcess() { terminate(); }

bool ChildProcess::reap(bool block) {
  if (status_) {
    return true;
  }
  int wstatus = 0;
  pid_t result = 0;
  do {
    result = ::waitpid(pid_, &wstatus, block ? 0 : WNOHANG);
  } while (result < 0 && errno == EINTR);
  if (result == 0) {
    return false;
  }
  if (result < 0) {
    // ECHILD: nothing left to reap. Record an impossible status rather than wait forever.
    status_ = -1;
  } else if (WIFEXITED(wstatus)) {
    status_ = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    status_ = 128 + WTERMSIG(wstatus);
  } else {
    status_ = -1;
  }
  return true;
}

bool ChildProcess::running() { return !reap(false); }

std::optional<int> ChildProcess::exit_status() {
  reap(false);
  return status_;
}

void ChildProcess::fail(std::string_view what) {
  std::string message = options_.name + " (pid " + std::to_string(pid_) + ") " + std::string(what);
  if (status_) {
    message += ", exit status " + std::to_string(*status_);
  }
  message += "; last lines of " + options_.log_file.string() + ":\n" + log_tail();
  throw std::runtime_error(message);
}

template <class Condition>
void ChildProcess::wait_until(Condition condition, std::chrono::milliseconds timeout, std::string_view what) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) {
      return;
    }
    if (!running()) {
      fail("exited while waiting for " + std::string(what));
    }
    if (Clock::now() >= deadline) {
      fail("still not ready after " + std::to_string(timeout.count()) + " ms waiting for " + std::string(what));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void ChildProcess::wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout) {
  wait_until([port] { return port_open(port); }, timeout, "port " + std::to_string(port));
}

void ChildProcess::wait_for_http(const std::string& url, std::chrono::milliseconds timeout) {
  const HttpClient client(std::chrono::seconds(2));
  wait_until(
      [&] {
        try {
          const int status = client.get(url).status;
          return status >= 200 && status < 300;
        } catch (const std::runtime_error&) {
          return false;
        }
      },
      timeout, "a 2xx from " + url);
}

void ChildProcess::wait_for_file(const std::filesystem::path& file, std::chrono::milliseconds timeout) {
  wait_until([&] { return std::filesystem::exists(file); }, timeout, "file " + file.string());
}

void ChildProcess::wait_for_log(std::string_view text, std::chrono::milliseconds timeout) {
  wait_until([&] { return log().find(text) != std::string::npos; }, timeout,
             "\"" + std::string(text) + "\" in its log");
}

int ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!reap(false)) {
    if (Clock::now() >= deadline) {
      fail("did not exit within " + std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return *status_;
}

int ChildProcess::terminate() { return terminate(options_.grace); }

int ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (reap(false)) {
    return *status_;
  }
  ::kill(pid_, SIGTERM);
  // A stopped process (SIGSTOP in a hang test) would hold SIGTERM pending until continued.
  ::kill(pid_, SIGCONT);
  const auto deadline = Clock::now() + grace;
  while (!reap(false)) {
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      reap(true);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return *status_;
}

int ChildProcess::kill9() {
  if (!reap(false)) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  return *status_;
}

void ChildProcess::send_signal(int signum) {
  if (running() && ::kill(pid_, signum) != 0) {
    throw std::system_error(errno, std::generic_category(), "kill " + options_.name);
  }
}

std::string ChildProcess::log() const {
  try {
    return read_file(options_.log_file);
  } catch (const std::runtime_error&) {
    return {};  // not created yet: the child has written nothing
  }
}

std::string ChildProcess::log_tail(std::size_t lines) const {
  const std::string text = log();
  std::size_t start = text.size();
  std::size_t seen = 0;
  // Skip a trailing newline so it does not count as an empty last line.
  std::size_t pos = (!text.empty() && text.back() == '\n') ? text.size() - 1 : text.size();
  while (pos > 0) {
    --pos;
    if (text[pos] == '\n' && ++seen == lines) {
      start = pos + 1;
      break;
    }
    start = pos;
  }
  return text.substr(start);
}

}  // namespace guichet::test
