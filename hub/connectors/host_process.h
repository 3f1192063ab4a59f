// One guichet-connector-host process and the pipes to it: what ConnectorProcess supervises and
// what a plugin probe throws away.
//
// Ownership: the object owns the process and its pipes; destroying it kills (SIGKILL) and reaps it.
// Thread-safety: none; the owner serialises its use.
#ifndef GUICHET_HUB_CONNECTORS_HOST_PROCESS_H
#define GUICHET_HUB_CONNECTORS_HOST_PROCESS_H

#include "hub/isolation/line_channel.h"

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace guichet::connectors {

struct HostLimits {
  long memory_mb = 512;  // RLIMIT_AS
  long cpu_s = 600;      // RLIMIT_CPU, over the process's whole life
  // The lowest guichet_log_level the hub keeps from this connector: the host drops the others
  // itself rather than send every debug line through the pipe for the hub to drop.
  int log_level = 0;
};

class HostProcess {
 public:
  // Starts `host_binary --library library` with `limits`, its stdin and stdout on pipes to this
  // object. Throws HostCrashed when it cannot be started.
  HostProcess(const std::filesystem::path& host_binary, const std::filesystem::path& library, HostLimits limits);
  ~HostProcess();
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  isolation::LineChannel& channel() { return channel_; }
  pid_t pid() const { return pid_; }

  // Kills and reaps the process, and says how it ended ("killed by SIGSEGV", "exited with code 4"):
  // one that died on its own keeps its own exit status. Idempotent.
  std::string stop();

 private:
  pid_t pid_ = 0;
  int to_child_ = -1;
  int from_child_ = -1;
  isolation::LineChannel channel_{-1, -1};
  std::string ended_;  // how it ended, once stopped
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_HOST_PROCESS_H
