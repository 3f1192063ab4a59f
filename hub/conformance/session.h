// Session: one connector instance on a given host table, created the way the hub creates one —
// through the plugin's C table in this process, or in a guichet-connector-host when the subject
// names one — but keeping what the hub's Instance hides: the raw status of each call next to its
// JSON answer, so a check can tell an outcome from an error.
//
// Ownership: holds the Plugin (and so its library) for as long as the instance lives; the instance
// is destroyed with the session. The host table must outlive the session.
#ifndef GUICHET_HUB_CONFORMANCE_SESSION_H
#define GUICHET_HUB_CONFORMANCE_SESSION_H

#include "hub/conformance/conformance.h"
#include "hub/connectors/connector_process.h"
#include "hub/connectors/plugin.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string_view>

namespace guichet::conformance {

using Json = nlohmann::json;

struct Answer {
  int status = GUICHET_OK;  // a guichet_status value
  Json json;                // the answer, or null when it is not JSON

  bool ok() const { return status == GUICHET_OK; }
  // The outcome's "result" ("sent", "retry", ...), or "" when the call failed.
  std::string result() const;
  // The "message" of a failed call (without any value: connectors keep personal data out of it).
  std::string message() const;
};

class Session {
 public:
  // Calls create() with the subject's settings; throws std::runtime_error with the connector's
  // message when creation fails.
  Session(const Subject& subject, const guichet_host_v1* host);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Calls one capability; GUICHET_UNSUPPORTED when the manifest does not declare it.
  Answer call(std::string_view capability, const Json& input) const;

 private:
  std::shared_ptr<const connectors::Plugin> plugin_;
  void* handle_ = nullptr;                                 // in this process
  std::unique_ptr<connectors::ConnectorProcess> process_;  // or in its host
};

}  // namespace guichet::conformance

#endif  // GUICHET_HUB_CONFORMANCE_SESSION_H
