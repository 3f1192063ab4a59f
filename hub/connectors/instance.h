// One configured connector instance, created in its plugin, with its own host services.
#ifndef GUICHET_HUB_CONNECTORS_INSTANCE_H
#define GUICHET_HUB_CONNECTORS_INSTANCE_H

#include "hub/connectors/host_services.h"
#include "hub/connectors/manifest.h"
#include "hub/connectors/plugin.h"

#include <nlohmann/json.hpp>

#include <memory>
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
};

// Thread-safe: calls may come from several threads at once (the ABI requires connectors to cope).
// Destroying it destroys the plugin's instance first, then its host services, and only then
// releases the plugin library.
class Instance {
 public:
  // Calls the plugin's create() with the settings. Throws CallError when it fails.
  Instance(InstanceConfig config, std::shared_ptr<const Plugin> plugin, HostDependencies dependencies);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  const InstanceConfig& config() const { return config_; }
  const Manifest& manifest() const { return plugin_->manifest(); }
  bool has_capability(std::string_view capability) const;

  // Each returns the plugin's JSON answer. Throws CallError when the plugin answers non-OK (the
  // plugin's {"message"}), when the capability is not declared (GUICHET_UNSUPPORTED), or when the
  // answer is not JSON.
  Json render(const Json& dispatch) const { return call("render", dispatch); }
  Json deliver(const Json& dispatch) const { return call("deliver", dispatch); }
  Json withdraw(const Json& dispatch) const { return call("withdraw", dispatch); }
  Json poll(const Json& query) const { return call("poll", query); }
  Json on_inbound(const Json& request) const { return call("on_inbound", request); }
  Json on_email(const Json& email) const { return call("on_email", email); }

 private:
  Json call(std::string_view capability, const Json& input) const;

  // Declaration order is destruction order, reversed: handle_ (in ~Instance), host_, plugin_.
  std::shared_ptr<const Plugin> plugin_;
  InstanceConfig config_;
  HostServices host_;
  void* handle_ = nullptr;
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_INSTANCE_H
