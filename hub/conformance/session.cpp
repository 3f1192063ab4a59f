#include "hub/conformance/session.h"

#include <guichet/sdk/connector.hpp>

#include <stdexcept>

namespace guichet::conformance {
namespace {

// Takes a buffer the connector filled, releasing it with the connector's own free_buffer.
std::string take(const guichet_connector_v1& table, guichet_buffer* out) {
  std::string text(out->data ? out->data : "", out->size);
  table.free_buffer(out);
  return text;
}

}  // namespace

std::string Answer::result() const {
  if (!ok() || !json.is_object()) return "";
  auto it = json.find("result");
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Answer::message() const {
  if (!json.is_object()) return "(no JSON answer)";
  return json.value("message", std::string("(no message)"));
}

Session::Session(const Subject& subject, const guichet_host_v1* host) : plugin_(subject.plugin) {
  Json settings = subject.settings();
  if (!subject.host_binary.empty()) {
    connectors::IsolationOptions isolation;
    isolation.host_binary = subject.host_binary;
    isolation.plugin_dir = subject.file.parent_path();
    process_ = std::make_unique<connectors::ConnectorProcess>("conformance", subject.file, settings, isolation, *host,
                                                              [](const std::string&) {});
    connectors::ProcessReply created = process_->start();
    if (created.status != GUICHET_OK) {
      process_.reset();
      throw std::runtime_error("create failed: " + (created.output.is_object()
                                                        ? created.output.value("message", created.output.dump())
                                                        : created.output.dump()));
    }
    return;
  }
  const guichet_connector_v1& table = plugin_->table();
  std::string text = sdk::to_text(settings);
  guichet_buffer out{nullptr, 0};
  int status = table.create(host, text.data(), text.size(), &handle_, &out);
  std::string answer = take(table, &out);
  if (status != GUICHET_OK) {
    handle_ = nullptr;
    Json json = Json::parse(answer, nullptr, false);
    throw std::runtime_error("create failed: " + (json.is_object() ? json.value("message", answer) : answer));
  }
}

Session::~Session() {
  if (handle_) plugin_->table().destroy(handle_);
}

Answer Session::call(std::string_view capability, const Json& input) const {
  connectors::Plugin::Operation operation = plugin_->operation(capability);
  if (!operation) return {GUICHET_UNSUPPORTED, Json{{"message", "capability not declared"}}};
  if (process_) {
    try {
      connectors::ProcessReply reply = process_->call(std::string(capability), input);
      return {reply.status, reply.output};
    } catch (const std::exception& e) {
      // A host that crashed or hung: the hub would fail the call, so the check sees a failure.
      return {GUICHET_ERROR, Json{{"message", std::string("connector host: ") + e.what()}}};
    }
  }
  std::string text = sdk::to_text(input);
  guichet_buffer out{nullptr, 0};
  int status = operation(handle_, text.data(), text.size(), &out);
  return {status, Json::parse(take(plugin_->table(), &out), nullptr, false)};
}

}  // namespace guichet::conformance
