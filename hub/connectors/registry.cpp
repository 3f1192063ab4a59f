#include "hub/connectors/registry.h"

#include "hub/connectors/department.h"
#include "hub/connectors/errors.h"
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
         a.poll_interval_s == b.poll_interval_s && a.deadline == b.deadline;
}

Poco::Logger& logger() { return Poco::Logger::get("guichet.connectors"); }

}  // namespace

Registry::Registry(RegistryOptions options) : options_(std::move(options)) {
  auto secrets = std::make_shared<const Secrets>(Secrets::load(options_.secrets_file));
  dependencies_.secrets = secrets;
  dependencies_.http = std::make_shared<HttpClient>(options_.http);
  dependencies_.mail = std::make_shared<MailSender>(
      options_.mail, [secrets](const std::string& name) { return secrets->find(name); });
  dependencies_.now_ms = options_.now_ms ? options_.now_ms : system_now_ms;
  if (!options_.plugin_dir.empty()) load_plugins();
  if (!options_.departments_dir.empty()) load_departments();
}

void Registry::load_plugins() {
  for (const std::filesystem::path& file : files_with_extension(options_.plugin_dir, ".so")) {
    PluginReport report{file.string(), file.stem().string(), "", "rejected", ""};
    try {
      std::shared_ptr<const Plugin> plugin = Plugin::load(file);
      report.version = plugin->manifest().version;
      report.state = "loaded";
      plugins_[plugin->manifest().id] = std::move(plugin);
    } catch (const std::exception& e) {
      report.reason = e.what();
      logger().warning("plugin %s rejected: %s", report.file, report.reason);
    }
    plugin_reports_.push_back(std::move(report));
  }
}

void Registry::load_departments() {
  for (const std::filesystem::path& file : files_with_extension(options_.departments_dir, ".json")) {
    add_department(read_department(file));
  }
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
    for (const std::string& need : config.needs) routes_[{department.code, need}] = config.instance;
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

  auto plugin = plugins_.find(config.plugin);
  if (plugin == plugins_.end()) return reject(where + ".plugin", "plugin \"" + config.plugin + "\" is not loaded");
  const Manifest& manifest = plugin->second->manifest();
  entry.version = manifest.version;
  for (std::size_t k = 0; k < config.needs.size(); ++k) {
    if (std::find(manifest.needs.begin(), manifest.needs.end(), config.needs[k]) == manifest.needs.end()) {
      return reject(where + ".needs[" + std::to_string(k) + "]",
                    "plugin \"" + config.plugin + "\" does not serve \"" + config.needs[k] + "\"");
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

std::shared_ptr<Instance> Registry::route(const std::string& department, const std::string& need) const {
  auto route = routes_.find({department, need});
  if (route == routes_.end()) return nullptr;
  const Entry& entry = entries_.at(route->second);
  std::lock_guard lock(mutex_);
  return entry.state == InstanceState::rejected ? nullptr : entry.instance;
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
