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
      host_(config_.instance, config_.settings, std::move(dependencies)) {
  const guichet_connector_v1& table = plugin_->table();
  std::string settings = to_text(config_.settings);
  Answer answer(table);
  void* handle = nullptr;
  int status = table.create(host_.table(), settings.data(), settings.size(), &handle, answer.buffer());
  if (status != GUICHET_OK) throw call_error(status, answer.text());
  handle_ = handle;
}

Instance::~Instance() {
  if (handle_) plugin_->table().destroy(handle_);
}

bool Instance::has_capability(std::string_view capability) const {
  return plugin_->operation(capability) != nullptr;
}

Json Instance::call(std::string_view capability, const Json& input) const {
  Plugin::Operation operation = plugin_->operation(capability);
  if (!operation) {
    throw CallError(GUICHET_UNSUPPORTED, "connector does not offer " + std::string(capability), false);
  }
  std::string text = to_text(input);
  Answer answer(plugin_->table());
  int status = operation(handle_, text.data(), text.size(), answer.buffer());
  if (status != GUICHET_OK) throw call_error(status, answer.text());
  Json result = Json::parse(answer.text(), nullptr, false);
  if (result.is_discarded()) {
    throw CallError(GUICHET_ERROR, "connector answered " + std::string(capability) + " with invalid JSON", false);
  }
  return result;
}

}  // namespace guichet::connectors
