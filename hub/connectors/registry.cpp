#include "hub/connectors/registry.h"

#include "hub/connectors/department.h"
#include "hub/connectors/errors.h"
#include "hub/connectors/plugin_probe.h"
#include "hub/connectors/schema.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace guichet::connectors {
namespace {

std::vector<std::filesystem::path> files_with_extension(const std::filesystem::path& dir, const std::string& extension) {
  if (!std::filesystem::is_directory(dir)) throw ConfigError(dir.string(), "", "directory not found");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // a stable order makes reports and errors reproducible
  return files;
}

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool same_definition(const InstanceConfig& a, const InstanceConfig& b) {
  return a.plugin == b.plugin && a.agency == b.agency && a.needs == b.needs && a.settings == b.settings &&
         a.poll_interval_s == b.poll_interval_s && a.deadline == b.deadline && a.fields == b.fields &&
         a.trusted == b.trusted && a.retry == b.retry && a.isolation == b.isolation && a.version == b.version &&
         a.plugin_sha256 == b.plugin_sha256;
}

Poco::Logger& logger() { return Poco::Logger::get("guichet.connectors"); }

// Loading a plugin takes a few milliseconds; one that takes seconds is stuck in its initialiser.
constexpr std::chrono::milliseconds kProbeDeadline{10000};

}  // namespace

Registry::Registry(RegistryOptions options) : options_(std::move(options)) {
  auto secrets = std::make_shared<const Secrets>(Secrets::load(options_.secrets_file));
  dependencies_.secrets = secrets;
  dependencies_.http = std::make_shared<HttpClient>(options_.http);
  dependencies_.mail = std::make_shared<MailSender>(
      options_.mail, [secrets](const std::string& name) { return secrets->find(name); });
  dependencies_.now_ms = options_.now_ms ? options_.now_ms : system_now_ms;
  auto isolation = std::make_shared<IsolationOptions>(options_.isolation);
  if (isolation->plugin_dir.empty()) isolation->plugin_dir = options_.plugin_dir;
  dependencies_.isolation = isolation;
  dependencies_.on_agency_http = options_.on_agency_http;
  // Instances are called only while the registry lives: its users (dispatcher, poller, server) stop first.
  dependencies_.quarantine = [this](const std::string& instance, const std::string& reason) {
    set_state(instance, InstanceState::quarantined, reason);
  };
  // Departments are read first: their pins must be checked before any plugin file is loaded.
  std::vector<Department> departments;
  if (!options_.departments_dir.empty()) departments = read_departments();
  if (!options_.plugin_dir.empty()) load_plugins(pins_of(departments), trusted_stems(departments));
  for (const Department& department : departments) add_department(department);
}

std::string Registry::plugin_stem(const InstanceConfig& config) const {
  std::string versioned = config.plugin + "@" + config.version;
  if (!config.version.empty() && std::filesystem::exists(options_.plugin_dir / (versioned + ".so"))) return versioned;
  return config.plugin;
}

std::map<std::string, std::vector<Registry::Pin>> Registry::pins_of(const std::vector<Department>& departments) const {
  std::map<std::string, std::vector<Pin>> pins;
  for (const Department& department : departments) {
    for (const InstanceConfig& config : department.instances) {
      if (!config.plugin_sha256.empty()) pins[plugin_stem(config)].push_back({config.instance, config.plugin_sha256});
    }
  }
  return pins;
}

std::set<std::string> Registry::trusted_stems(const std::vector<Department>& departments) const {
  std::set<std::string> stems;
  for (const Department& department : departments) {
    for (const InstanceConfig& config : department.instances) {
      if (config.trusted) stems.insert(plugin_stem(config));
    }
  }
  return stems;
}

void Registry::load_plugins(const std::map<std::string, std::vector<Pin>>& pins, const std::set<std::string>& trusted) {
  const std::filesystem::path& host_binary = options_.isolation.host_binary;
  for (const std::filesystem::path& file : files_with_extension(options_.plugin_dir, ".so")) {
    std::string stem = file.stem().string();
    PluginReport report{file.string(), stem.substr(0, stem.find('@')), "", "rejected", ""};
    try {
      if (auto pinned = pins.find(stem); pinned != pins.end()) {
        std::string digest = file_sha256(file);
        for (const Pin& pin : pinned->second) {
          if (pin.sha256 != digest) {
            throw PluginRejected("sha256 " + digest + " differs from the " + pin.sha256 + " instance \"" +
                                 pin.instance + "\" pins; not loaded");
          }
        }
      }
      // Its code runs in a throwaway host first; then in this process only when a trusted instance
      // runs it here. Without a host binary every plugin runs in the hub: nowhere else to try it.
      std::shared_ptr<const Plugin> plugin;
      if (host_binary.empty()) {
        plugin = Plugin::load(file);
      } else {
        probe_plugin(host_binary, file, {options_.isolation.memory_mb, options_.isolation.cpu_s}, kProbeDeadline);
        plugin = trusted.count(stem) ? Plugin::load(file) : Plugin::inspect(file);
      }
      report.version = plugin->manifest().version;
      report.state = "loaded";
      plugins_[stem] = std::move(plugin);
    } catch (const std::exception& e) {
      report.reason = e.what();
      logger().warning("plugin %s rejected: %s", report.file, report.reason);
    }
    plugin_reports_.push_back(std::move(report));
  }
}

std::vector<Department> Registry::read_departments() const {
  std::vector<Department> departments;
  for (const std::filesystem::path& file : files_with_extension(options_.departments_dir, ".json")) {
    departments.push_back(read_department(file));
  }
  return departments;
}

void Registry::add_department(const Department& department) {
  if (auto [it, added] = departments_.emplace(department.code, department.file); !added) {
    throw ConfigError(department.file, "department", "department \"" + department.code + "\" is already defined in " + it->second);
  }
  for (std::size_t i = 0; i < department.instances.size(); ++i) {
    const InstanceConfig& config = department.instances[i];
    std::string where = "instances[" + std::to_string(i) + "]";
    auto existing = entries_.find(config.instance);
    if (existing == entries_.end()) {
      existing = entries_.emplace(config.instance, create(config, where)).first;
    } else if (!same_definition(existing->second.config, config)) {
      throw ConfigError(department.file, where + ".instance",
                        "instance \"" + config.instance + "\" is defined differently in " + existing->second.config.file);
    }
    existing->second.departments.push_back(department.code);
    for (const std::string& need : config.needs) routes_[{department.code, need}].push_back(config.instance);
  }
}

Registry::Entry Registry::create(const InstanceConfig& config, const std::string& where) const {
  Entry entry;
  entry.config = config;
  auto reject = [&](const std::string& field, const std::string& message) {
    entry.last_error = ConfigError(config.file, field, message).what();
    logger().warning("connector instance %s rejected: %s", config.instance, entry.last_error);
    return entry;
  };

  std::string stem = plugin_stem(config);
  auto plugin = plugins_.find(stem);
  if (plugin == plugins_.end()) {
    std::string why;
    for (const PluginReport& report : plugin_reports_) {
      if (std::filesystem::path(report.file).stem() == stem && !report.reason.empty()) why = ": " + report.reason;
    }
    return reject(where + ".plugin", "plugin \"" + stem + "\" is not loaded" + why);
  }
  const Manifest& manifest = plugin->second->manifest();
  if (!config.version.empty() && manifest.version != config.version) {
    return reject(where + ".version", "plugin \"" + config.plugin + "\" is version " + manifest.version + ", not " +
                                          config.version + " (install it as " + config.plugin + "@" + config.version +
                                          ".so)");
  }
  entry.version = manifest.version;
  for (std::size_t k = 0; k < config.needs.size(); ++k) {
    if (std::find(manifest.needs.begin(), manifest.needs.end(), config.needs[k]) == manifest.needs.end()) {
      return reject(where + ".needs[" + std::to_string(k) + "]",
                    "plugin \"" + config.plugin + "\" does not serve \"" + config.needs[k] + "\"");
    }
  }
  if (manifest.fields_from_instance && !config.fields) {
    return reject(where + ".fields", "is required: plugin \"" + config.plugin +
                                         "\" sends only the fields each instance declares, "
                                         "{\"person\": [...], \"situation\": [...]}");
  }
  if (config.fields) {
    if (auto field = first_not_allowed(manifest, *config.fields)) {
      return reject(where + ".fields", "field " + *field + " is not allowed by plugin \"" + config.plugin + "\"");
    }
  }
  if (auto error = validate(manifest.settings_schema, config.settings, where + ".settings")) {
    return reject(error->path, error->message);
  }
  try {
    entry.instance = std::make_shared<Instance>(config, plugin->second, dependencies_);
  } catch (const CallError& e) {
    return reject(where, std::string("create failed: ") + e.what());
  }
  entry.state = InstanceState::ready;
  return entry;
}

std::vector<InstanceReport> Registry::instances() const {
  std::lock_guard lock(mutex_);
  std::vector<InstanceReport> reports;
  for (const auto& [name, entry] : entries_) {
    reports.push_back({name, entry.config.plugin, entry.version, entry.config.agency, entry.config.needs,
                       entry.departments, entry.state, entry.last_error});
  }
  return reports;
}

std::shared_ptr<Instance> Registry::find(const std::string& instance) const {
  auto it = entries_.find(instance);
  return it == entries_.end() ? nullptr : it->second.instance;
}

std::vector<std::shared_ptr<Instance>> Registry::routes(const std::string& department, const std::string& need) const {
  std::vector<std::shared_ptr<Instance>> serving;
  auto route = routes_.find({department, need});
  if (route == routes_.end()) return serving;
  std::lock_guard lock(mutex_);
  for (const std::string& name : route->second) {
    const Entry& entry = entries_.at(name);
    if (entry.state != InstanceState::rejected) serving.push_back(entry.instance);
  }
  return serving;
}

const InstanceConfig* Registry::config(const std::string& instance) const {
  auto it = entries_.find(instance);
  return it == entries_.end() ? nullptr : &it->second.config;
}

bool Registry::has_department(const std::string& department) const { return departments_.count(department) > 0; }

InstanceState Registry::state(const std::string& instance) const {
  auto it = entries_.find(instance);
  if (it == entries_.end()) throw std::out_of_range("unknown connector instance \"" + instance + "\"");
  std::lock_guard lock(mutex_);
  return it->second.state;
}

void Registry::set_state(const std::string& instance, InstanceState state, const std::string& last_error) {
  auto it = entries_.find(instance);
  if (it == entries_.end()) throw std::out_of_range("unknown connector instance \"" + instance + "\"");
  if (!it->second.instance && state != InstanceState::rejected) {
    throw std::logic_error("connector instance \"" + instance + "\" was never created");
  }
  std::lock_guard lock(mutex_);
  it->second.state = state;
  it->second.last_error = last_error;
}

}  // namespace guichet::connectors
