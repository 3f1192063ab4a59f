// Errors of the connector layer: a configuration that cannot be used, and a plugin call that failed.
#ifndef GUICHET_HUB_CONNECTORS_ERRORS_H
#define GUICHET_HUB_CONNECTORS_ERRORS_H

#include <stdexcept>
#include <string>

namespace guichet::connectors {

// A manifest, department file or secrets file that cannot be used as written.
// what() is "<file>: <field>: <message>" (parts left empty are omitted) so an operator can fix it.
struct ConfigError : std::runtime_error {
  ConfigError(std::string file, std::string field, std::string message);

  std::string file;     // e.g. "config/departments/95.json"; empty when not known yet
  std::string field;    // e.g. "instances[1].needs[0]"
  std::string message;  // the reason alone, without file and field
};

// A plugin call returned something else than GUICHET_OK. what() is the plugin's {"message"}.
struct CallError : std::runtime_error {
  CallError(int status, const std::string& message, bool transient);

  int status;  // a guichet_status value

  // Whether the same call may succeed later. An error a connector raised (GUICHET_ERROR) is
  // transient unless its answer says {"transient":false}: it is typically a host transport failure
  // the connector did not catch. Unsupported calls and refused input fail the same way every time.
  bool transient() const { return transient_; }

 private:
  bool transient_;
};

// The connector's host process died or was killed during the call (crash, deadline, memory limit),
// or is quarantined. Transient, unless the same input was under way in an earlier crash too: then
// it is `poison`, and retrying it would only crash the connector again.
struct HostCrashed : CallError {
  HostCrashed(const std::string& message, bool poison);

  bool poison;
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_ERRORS_H
