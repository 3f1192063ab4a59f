// A status event as the hub reads it from poll, on_inbound and on_email.
#ifndef GUICHET_CONNECTORS_EVENTS_HPP
#define GUICHET_CONNECTORS_EVENTS_HPP

#include <guichet/sdk/connector.hpp>

#include <optional>
#include <string>

namespace guichet::connectors {

struct StatusEvent {
  std::optional<std::string> request_id;
  std::string agency_reference;
  std::string state;  // a hub state: acknowledged, in_review, accepted, refused, ...
  std::optional<std::string> message;
  std::string at;  // RFC 3339

  sdk::Json to_json() const {
    sdk::Json event{{"agency_reference", agency_reference}, {"state", state}, {"at", at}};
    if (request_id) event["request_id"] = *request_id;
    if (message) event["message"] = *message;
    return event;
  }
};

}  // namespace guichet::connectors

#endif
