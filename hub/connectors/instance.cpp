#include "hub/connectors/instance.h"

#include "hub/connectors/errors.h"

namespace guichet::connectors {
namespace {

std::string to_text(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// A plugin's answer, released with the plugin's own free_buffer whatever happens next.
class Answer {
 public:
  explicit Answer(const guichet_connector_v1& table) : table_(table) {}
  ~Answer() { table_.free_buffer(&buffer_); }
  Answer(const Answer&) = delete;
  Answer& operator=(const Answer&) = delete;

  guichet_buffer* buffer() { return &buffer_; }
  std::string_view text() const {
    return buffer_.data ? std::string_view(buffer_.data, buffer_.size) : std::string_view();
  }

 private:
  const guichet_connector_v1& table_;
  guichet_buffer buffer_{nullptr, 0};
};

// The CallError for a non-OK status, with the plugin's {"message","transient"} when it gave them.
CallError call_error(int status, std::string_view text) {
  Json answer = Json::parse(text, nullptr, false);
  std::string message = "connector failed without a message";
  bool transient = status == GUICHET_ERROR;
  if (answer.is_object()) {
    if (answer.contains("message") && answer["message"].is_string()) message = answer["message"].get<std::string>();
    if (answer.contains("transient") && answer["transient"].is_boolean()) transient = answer["transient"].get<bool>();
  }
  return CallError(status, message, transient);
}

// The instance's own "isolation" limits over the hub's. Throws CallError for a value out of range.
IsolationOptions with_overrides(IsolationOptions options, const Json& overrides) {
  if (!overrides.is_object()) return options;
  auto read = [&](const char* key, int64_t low, int64_t high, auto& into) {
    auto it = overrides.find(key);
    if (it == overrides.end()) return;
    if (!it->is_number_integer() || it->get<int64_t>() < low || it->get<int64_t>() > high) {
      throw CallError(GUICHET_BAD_INPUT,
                      "isolation." + std::string(key) + " must be an integer from " + std::to_string(low) + " to " +
                          std::to_string(high),
                      false);
    }
    into = it->get<int64_t>();
  };
  read("deadline_ms", 100, 600000, options.call_deadline_ms);
  read("memory_mb", 64, 65536, options.memory_mb);
  for (const auto& [key, value] : overrides.items()) {
    if (key != "deadline_ms" && key != "memory_mb") {
      throw CallError(GUICHET_BAD_INPUT, "isolation." + key + " is not a known limit", false);
    }
  }
  return options;
}

// The very file the registry checked (its digest, its version), for the isolated host to load.
std::filesystem::path plugin_file(const Plugin& plugin, const IsolationOptions& isolation) {
  return plugin.file().empty() ? isolation.plugin_dir / (plugin.manifest().id + ".so") : plugin.file();
}

}  // namespace

const char* to_string(InstanceState state) {
  switch (state) {
    case InstanceState::ready: return "ready";
    case InstanceState::degraded: return "degraded";
    case InstanceState::quarantined: return "quarantined";
    case InstanceState::rejected: return "rejected";
  }
  return "rejected";
}

Instance::Instance(InstanceConfig config, std::shared_ptr<const Plugin> plugin, HostDependencies dependencies)
    : plugin_(std::move(plugin)),
      config_(std::move(config)),
      fields_(effective_fields(plugin_->manifest(), config_.fields)),
      host_(config_.instance, config_.settings, dependencies) {
  Json given = config_.settings;
  if (plugin_->manifest().fields_from_instance) given[kFieldsKey] = fields_.to_json();
  const IsolationOptions* isolation = dependencies.isolation.get();
  if (isolation && !isolation->host_binary.empty() && !config_.trusted) {
    IsolationOptions limits = with_overrides(*isolation, config_.isolation);
    auto quarantine = [hook = dependencies.quarantine, name = config_.instance](const std::string& reason) {
      if (hook) hook(name, reason);
    };
    process_ = std::make_unique<ConnectorProcess>(config_.instance, plugin_file(*plugin_, *isolation),
                                                  std::move(given), limits, *host_.table(), quarantine);
    ProcessReply created = process_->start();
    if (created.status != GUICHET_OK) throw call_error(created.status, to_text(created.output));
    return;
  }
  const guichet_connector_v1& table = plugin_->table();
  std::string settings = to_text(given);
  Answer answer(table);
  void* handle = nullptr;
  int status = table.create(host_.table(), settings.data(), settings.size(), &handle, answer.buffer());
  if (status != GUICHET_OK) throw call_error(status, answer.text());
  handle_ = handle;
}

Instance::~Instance() {
  if (handle_) plugin_->table().destroy(handle_);
}

// The manifest says it: Plugin::load checked that the table has a function for each capability it
// declares, and an isolated instance's plugin is not loaded in the hub.
bool Instance::has_capability(std::string_view capability) const {
  return plugin_->manifest().capabilities.count(std::string(capability)) > 0;
}

Json Instance::call(std::string_view capability, const Json& input) const {
  if (!has_capability(capability)) {
    throw CallError(GUICHET_UNSUPPORTED, "connector does not offer " + std::string(capability), false);
  }
  if (process_) {
    ProcessReply reply = process_->call(std::string(capability), input);
    if (reply.status != GUICHET_OK) throw call_error(reply.status, to_text(reply.output));
    if (reply.output.is_null()) {
      throw CallError(GUICHET_ERROR, "connector answered " + std::string(capability) + " with invalid JSON", false);
    }
    return reply.output;
  }
  std::string text = to_text(input);
  Answer answer(plugin_->table());
  int status = plugin_->operation(capability)(handle_, text.data(), text.size(), answer.buffer());
  if (status != GUICHET_OK) throw call_error(status, answer.text());
  Json result = Json::parse(answer.text(), nullptr, false);
  if (result.is_discarded()) {
    throw CallError(GUICHET_ERROR, "connector answered " + std::string(capability) + " with invalid JSON", false);
  }
  return result;
}

}  // namespace guichet::connectors
