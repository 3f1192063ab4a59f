// One configured connector instance, created in its plugin, with its own host services.
#ifndef GUICHET_HUB_CONNECTORS_INSTANCE_H
#define GUICHET_HUB_CONNECTORS_INSTANCE_H

#include "hub/connectors/connector_process.h"
#include "hub/connectors/field_set.h"
#include "hub/connectors/host_services.h"
#include "hub/connectors/manifest.h"
#include "hub/connectors/plugin.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::connectors {

using Json = nlohmann::json;

// ready: usable. degraded: misconfigured at the agency (credentials, scope), set by the dispatcher.
// quarantined: set aside after repeated failures. rejected: never created (see the last error).
enum class InstanceState { ready, degraded, quarantined, rejected };
const char* to_string(InstanceState state);

// One entry of a department file's "instances".
struct InstanceConfig {
  std::string instance, plugin, agency, department, file;
  std::vector<std::string> needs;
  Json settings;
  int poll_interval_s = 30;
  Json deadline;  // as written in the department file; null when absent
  std::optional<FieldSet> fields;  // the instance's own "fields"; absent when it declares none
  std::string version;        // "version": which of the plugin's files (<plugin>@<version>.so); empty: <plugin>.so
  std::string plugin_sha256;  // "plugin_sha256": the digest the plugin file must have; empty: not pinned
  bool trusted = false;  // runs inside the hub; otherwise in a guichet-connector-host of its own
  Json retry;            // the instance's retry policy (dispatch/retry_policy.h); null: the hub's
  Json isolation;        // {"deadline_ms","memory_mb"} overriding the hub's IsolationOptions; null: none
};

// Thread-safe: calls may come from several threads at once (the ABI requires connectors to cope).
// Where the plugin's code runs is decided here, invisible to callers: inside the hub for a trusted
// instance or when no host binary is configured (HostDependencies::isolation), otherwise in a
// guichet-connector-host process of its own (connector_process.h), where a crash or a hang costs
// that process only; calls to an isolated instance are then serialised.
// Destroying it destroys the plugin's instance first, then its host services, and only then
// releases the plugin library.
class Instance {
 public:
  // Calls the plugin's create() with the settings, plus, for a plugin whose fields come from its
  // instance, the fields it will receive under the reserved key "_fields", so that it can refuse at
  // start-up a template or mapping naming a field it will never get. Throws CallError when it fails.
  Instance(InstanceConfig config, std::shared_ptr<const Plugin> plugin, HostDependencies dependencies);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  const InstanceConfig& config() const { return config_; }
  const Manifest& manifest() const { return plugin_->manifest(); }
  bool has_capability(std::string_view capability) const;
  // The fields the hub's projection hands this instance (see effective_fields).
  const FieldSet& fields() const { return fields_; }

  // Each returns the plugin's JSON answer. Throws CallError when the plugin answers non-OK (the
  // plugin's {"message"}), when the capability is not declared (GUICHET_UNSUPPORTED), or when the
  // answer is not JSON.
  Json render(const Json& dispatch) const { return call("render", dispatch); }
  Json deliver(const Json& dispatch) const { return call("deliver", dispatch); }
  Json withdraw(const Json& dispatch) const { return call("withdraw", dispatch); }
  Json answer(const Json& dispatch) const { return call("answer", dispatch); }
  Json poll(const Json& query) const { return call("poll", query); }
  Json on_inbound(const Json& request) const { return call("on_inbound", request); }
  Json on_email(const Json& email) const { return call("on_email", email); }

 private:
  Json call(std::string_view capability, const Json& input) const;

  // Declaration order is destruction order, reversed: handle_ (in ~Instance), host_, plugin_.
  std::shared_ptr<const Plugin> plugin_;
  InstanceConfig config_;
  FieldSet fields_;
  HostServices host_;
  void* handle_ = nullptr;                    // in-process instance
  std::unique_ptr<ConnectorProcess> process_;  // isolated instance; uses host_, so goes first
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_INSTANCE_H
