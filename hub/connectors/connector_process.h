// The hub's side of a connector running in guichet-connector-host (hub/isolation): starts the
// process, sends it one call at a time, serves the host services it asks for with the instance's
// own HostServices (so the hub still checks every side effect), and supervises it.
//
// Supervision: a call that gets no line from the host within the deadline kills it (SIGKILL);
// a host that dies or is killed fails the call under way with HostCrashed and is started again,
// after a back-off, by the next call. After `quarantine_crashes` crashes within
// `quarantine_window_ms` the instance is quarantined: the hook tells the registry, and calls fail
// until an operator restarts the hub. An input that was under way during two crashes is poison:
// its HostCrashed says so, and the dispatcher sets it aside instead of crashing the host forever.
//
// Thread-safety: every method may be called from any thread; calls are serialised.
#ifndef GUICHET_HUB_CONNECTORS_CONNECTOR_PROCESS_H
#define GUICHET_HUB_CONNECTORS_CONNECTOR_PROCESS_H

#include "hub/connectors/host_process.h"

#include <guichet/sdk/abi.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace guichet::connectors {

using Json = nlohmann::json;

struct IsolationOptions {
  std::filesystem::path host_binary;  // guichet-connector-host; empty: plugins run inside the hub
  std::filesystem::path plugin_dir;   // where <plugin id>.so is
  int64_t call_deadline_ms = 30000;   // longest a connector may compute without a word
  long memory_mb = 512;               // RLIMIT_AS of the host
  long cpu_s = 600;                   // RLIMIT_CPU of the host, over its whole life
  int quarantine_crashes = 3;
  int64_t quarantine_window_ms = 5 * 60 * 1000;
  int64_t restart_backoff_ms = 500;   // doubled after each crash in a row
  int64_t restart_backoff_cap_ms = 10000;
};

// What the host answered to one call: a guichet_status and the connector's JSON (null when it was
// not JSON).
struct ProcessReply {
  int status = GUICHET_ERROR;
  Json output;
};

class ConnectorProcess {
 public:
  using QuarantineHook = std::function<void(const std::string& reason)>;

  // `host` serves the host calls; it must outlive this object.
  ConnectorProcess(std::string instance, std::filesystem::path library, Json settings, IsolationOptions options,
                   const guichet_host_v1& host, QuarantineHook on_quarantine);
  ~ConnectorProcess();  // kills the host
  ConnectorProcess(const ConnectorProcess&) = delete;
  ConnectorProcess& operator=(const ConnectorProcess&) = delete;

  // Starts the host and creates the instance in it; returns create's reply. Throws HostCrashed.
  ProcessReply start();
  // One operation ("deliver", "poll", ...). Throws HostCrashed when the host dies or hangs.
  ProcessReply call(const std::string& operation, const Json& input);

 private:
  ProcessReply start_locked();
  ProcessReply exchange_locked(const std::string& operation, const Json& input, const std::string& poison_key);
  void serve_host_call_locked(const Json& message);
  std::string stop_locked();  // kills and reaps; returns how the process ended
  [[noreturn]] void crashed_locked(const std::string& what, const std::string& poison_key);

  const std::string instance_;
  const std::filesystem::path library_;
  const Json settings_;
  const IsolationOptions options_;
  const guichet_host_v1& host_;
  const QuarantineHook on_quarantine_;

  std::mutex mutex_;
  std::unique_ptr<HostProcess> child_;
  int64_t next_id_ = 0;
  int crashes_in_a_row_ = 0;
  std::deque<std::chrono::steady_clock::time_point> crashes_;  // within the quarantine window
  std::optional<std::chrono::steady_clock::time_point> restart_at_;
  std::map<std::string, int> crashes_by_input_;
  bool quarantined_ = false;
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_CONNECTOR_PROCESS_H
