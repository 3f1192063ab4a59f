// The connector instances of every department: plugins loaded from a directory, instances created
// from department files, and which instance serves which need where.
//
// Loading never stops at a bad plugin or a bad instance: each is reported as rejected with its
// reason and the others go on. Only a department file that cannot be read as written stops it.
#ifndef GUICHET_HUB_CONNECTORS_REGISTRY_H
#define GUICHET_HUB_CONNECTORS_REGISTRY_H

#include "hub/connectors/host_services.h"
#include "hub/connectors/http_client.h"
#include "hub/connectors/instance.h"
#include "hub/connectors/mail_sender.h"
#include "hub/connectors/plugin.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace guichet::connectors {

struct Department;

struct RegistryOptions {
  std::filesystem::path plugin_dir, departments_dir, secrets_file;  // an empty path is skipped
  MailSettings mail;
  std::function<int64_t()> now_ms;  // defaults to the system clock
  HttpClientOptions http;
  IsolationOptions isolation;  // host_binary empty: every plugin runs inside the hub
  AgencyHttpObserver on_agency_http;  // every instance's exchanges with its agency, for metrics
};

struct PluginReport {
  std::string file, id, version, state /* loaded|rejected */, reason;
};

struct InstanceReport {
  std::string instance, plugin, version, agency;
  std::vector<std::string> needs, departments;
  InstanceState state;
  std::string last_error;
};

class Registry {
 public:
  // Reads every *.json of departments_dir, then accepts every <id>.so and <id>@<version>.so of
  // plugin_dir (see load_plugins), except a file an instance pins ("plugin_sha256") whose digest
  // differs: that one is rejected before it is loaded. Then creates the instances: one with
  // "version" uses <plugin>@<version>.so, or <plugin>.so when that is the version asked for.
  // Throws ConfigError for a department file that is malformed (see department.h), for a department
  // defined twice, for an instance name defined differently in two files, for a secrets file that
  // is not a JSON object of strings, and for a directory given but missing.
  // An instance whose plugin is not loaded, whose needs the plugin does not serve, whose settings
  // break the plugin's settings_schema, whose fields the manifest does not allow (or which declares
  // none for a plugin that takes them from its instance) or whose creation fails is rejected, with
  // file and field in its last_error. An instance listed with the same definition in several department files is
  // one instance serving all of them.
  explicit Registry(RegistryOptions options);
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  const std::vector<PluginReport>& plugins() const { return plugin_reports_; }
  std::vector<InstanceReport> instances() const;  // ordered by instance name

  // Thread-safe lookups. find: nullptr unless created. routes: the instances serving `need` in
  // `department`, in department file order, without the rejected ones; empty when none does.
  std::shared_ptr<Instance> find(const std::string& instance) const;
  std::vector<std::shared_ptr<Instance>> routes(const std::string& department, const std::string& need) const;
  bool has_department(const std::string& department) const;
  // The instance as configured, whether or not it was created; nullptr for an unknown name.
  const InstanceConfig* config(const std::string& instance) const;

  // Throws std::out_of_range for an unknown instance. set_state throws std::logic_error when asked
  // to make an instance that was never created anything but rejected.
  InstanceState state(const std::string& instance) const;
  void set_state(const std::string& instance, InstanceState state, const std::string& last_error);

 private:
  struct Entry {
    InstanceConfig config;
    std::vector<std::string> departments;
    std::string version;
    std::shared_ptr<Instance> instance;  // null when rejected at load
    InstanceState state = InstanceState::rejected;
    std::string last_error;
  };

  // A department's pin of a plugin file's digest ("plugin_sha256").
  struct Pin {
    std::string instance, sha256;
  };

  // The stem of the file an instance asks for: <plugin>@<version> when that file exists, else <plugin>.
  std::string plugin_stem(const InstanceConfig& config) const;
  std::map<std::string, std::vector<Pin>> pins_of(const std::vector<Department>& departments) const;  // by stem
  // The stems of the plugins a trusted instance runs inside the hub.
  std::set<std::string> trusted_stems(const std::vector<Department>& departments) const;
  // A pinned file whose digest differs from any of its pins is rejected without being loaded.
  // Without a host binary every other file is loaded in the hub (Plugin::load). With one, each is
  // first loaded in a throwaway host (plugin_probe.h), and one that fails there is rejected; the
  // hub then loads only the `trusted` ones, and merely inspects the others (Plugin::inspect),
  // whose code runs in connector hosts only.
  void load_plugins(const std::map<std::string, std::vector<Pin>>& pins, const std::set<std::string>& trusted);
  std::vector<Department> read_departments() const;
  void add_department(const Department& department);
  Entry create(const InstanceConfig& config, const std::string& where) const;

  const RegistryOptions options_;
  std::vector<PluginReport> plugin_reports_;
  std::map<std::string, std::shared_ptr<const Plugin>> plugins_;  // loaded ones, by file stem: <id> or <id>@<version>
  HostDependencies dependencies_;

  // Instances are declared after plugins_ so they are destroyed first.
  mutable std::mutex mutex_;  // guards the state and last_error of entries_
  std::map<std::string, Entry> entries_;  // by instance name
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> routes_;  // (department, need) -> instances
  std::map<std::string, std::string> departments_;  // code -> file
};

}  // namespace guichet::connectors

#endif  // GUICHET_HUB_CONNECTORS_REGISTRY_H
