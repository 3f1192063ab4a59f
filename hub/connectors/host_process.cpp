#include "hub/connectors/host_process.h"

#include "hub/connectors/errors.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

extern char** environ;

namespace guichet::connectors {
namespace {

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    return std::string("killed by SIG") + (name ? name : std::to_string(WTERMSIG(status)));
  }
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

// Both ends of a pipe, closed on exec; closes whichever the owner did not take.
struct Pipe {
  Pipe() {
    if (pipe2(ends, O_CLOEXEC) != 0) throw HostCrashed("cannot create a pipe for the connector host", false);
  }
  ~Pipe() {
    for (int end : ends) {
      if (end >= 0) close(end);
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int take(int which) { return std::exchange(ends[which], -1); }

  int ends[2] = {-1, -1};
};

}  // namespace

HostProcess::HostProcess(const std::filesystem::path& host_binary, const std::filesystem::path& library,
                         HostLimits limits) {
  Pipe to_child, from_child;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child.ends[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child.ends[1], STDOUT_FILENO);
  // The hub's threads block some signals (Poco blocks SIGTERM and SIGPIPE): start with none blocked.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> words{host_binary.string(), "--library",  library.string(),
                                 "--memory-mb",       std::to_string(limits.memory_mb),
                                 "--cpu-s",           std::to_string(limits.cpu_s),
                                 "--log-level",       std::to_string(limits.log_level)};
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  int failed = posix_spawn(&pid_, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (failed != 0) throw HostCrashed("cannot start " + host_binary.string(), false);
  to_child_ = to_child.take(1);
  from_child_ = from_child.take(0);
  channel_ = isolation::LineChannel(from_child_, to_child_);
}

HostProcess::~HostProcess() {
  stop();
  if (to_child_ >= 0) close(to_child_);
  if (from_child_ >= 0) close(from_child_);
}

std::string HostProcess::stop() {
  if (!ended_.empty()) return ended_;
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  ended_ = describe_exit(status);
  return ended_;
}

}  // namespace guichet::connectors
