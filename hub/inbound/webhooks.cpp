#include "hub/inbound/webhooks.h"

#include "hub/inbound/agency_events.h"

#include <Poco/Logger.h>

namespace guichet::inbound {

Webhooks::Webhooks(store::Store& store, connectors::Registry& registry, Clock clock, PollNow poll_now)
    : store_(store), registry_(registry), clock_(std::move(clock)), poll_now_(std::move(poll_now)) {}

WebhookResult Webhooks::handle(const std::string& name, const WebhookCall& call) {
  auto instance = registry_.find(name);
  if (!instance || !instance->has_capability("on_inbound")) return WebhookResult::unknown_instance;
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [key, value] : call.headers) headers[key] = value;
  nlohmann::json answer;
  try {
    answer = instance->on_inbound({{"method", call.method}, {"path", call.path}, {"headers", headers}, {"body", call.body}});
  } catch (const std::exception&) {
    // A call the connector cannot read is treated like one it cannot verify.
    return WebhookResult::unauthenticated;
  }
  if (!answer.is_object() || !answer.value("authentic", false)) {
    Poco::Logger::get("webhooks").warning("%s: call refused: not authentic", name);
    return WebhookResult::unauthenticated;
  }
  auto result = apply_events(store_, name, answer.value("events", nlohmann::json::array()), "webhook", clock_());
  Poco::Logger::get("webhooks").information("%s: %d events applied, %d ignored", name, result.applied, result.ignored);
  if (answer.value("poll_now", false) && poll_now_) poll_now_(name);
  return WebhookResult::accepted;
}

}  // namespace guichet::inbound
