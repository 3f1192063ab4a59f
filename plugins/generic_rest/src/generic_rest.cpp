// Generic REST connector: a local partner with a small JSON API, described entirely by its
// instance's settings (endpoint, authentication, body mapping, where its reference is, how to read
// its statuses), so that a department adds one without writing C++. See docs/partners.md.
#include "credentials.hpp"

#include <guichet/connectors/body_mapping.hpp>
#include <guichet/connectors/dates.hpp>
#include <guichet/connectors/declared_fields.hpp>
#include <guichet/connectors/events.hpp>
#include <guichet/connectors/failure.hpp>
#include <guichet/connectors/fields.hpp>
#include <guichet/connectors/rest_client.hpp>
#include <guichet/connectors/url.hpp>
#include <guichet/sdk/connector.hpp>

#include <stdexcept>

namespace guichet::generic_rest {

using connectors::text_field;
using sdk::Json;
using sdk::Outcome;

namespace {

constexpr const char* kAgency = "partner API";
constexpr const char* kReferenceMarker = "{reference}";

Json::json_pointer pointer(const Json& settings, const char* key, const char* fallback) {
  std::string text = settings.value(key, std::string(fallback));
  try {
    return Json::json_pointer(text);
  } catch (const Json::exception&) {
    throw std::invalid_argument(std::string(key) + " \"" + text + "\" is not a JSON pointer (\"/id\")");
  }
}

// The value at `at` as text: agencies write references and statuses as strings or numbers.
std::optional<std::string> text_at(const Json& body, const Json::json_pointer& at) {
  if (!body.is_object() && !body.is_array()) return std::nullopt;
  if (!body.contains(at)) return std::nullopt;
  const Json& value = body.at(at);
  if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  return std::nullopt;
}

}  // namespace

class GenericRest : public sdk::Connector {
 public:
  GenericRest(sdk::Host host, Json settings)
      : Connector(host, std::move(settings)),
        fields_(connectors::DeclaredFields::from_settings(this->settings())),
        mapping_(this->settings().at("body"), fields_),
        credentials_(host, this->settings().value("auth", Json{{"kind", "none"}})),
        endpoint_url_(this->settings().at("endpoint_url").get<std::string>()),
        method_(this->settings().value("method", std::string("POST"))),
        status_url_(this->settings().value("status_url", std::string())),
        status_map_(this->settings().value("status_map", Json::object())),
        reference_pointer_(pointer(this->settings(), "reference_pointer", "/reference")),
        status_pointer_(pointer(this->settings(), "status_pointer", "/status")),
        message_pointer_(pointer(this->settings(), "message_pointer", "/message")),
        timeout_ms_(this->settings().value("timeout_ms", 10000)) {
    if (!status_url_.empty() && status_url_.find(kReferenceMarker) == std::string::npos) {
      throw std::invalid_argument("status_url must contain {reference}");
    }
    if (!status_url_.empty() && status_map_.empty()) throw std::invalid_argument("status_url needs a status_map");
  }

  Json render(const Json& dispatch) override {
    Json headers = credentials_.shown();
    headers["Content-Type"] = "application/json";
    headers["Accept"] = "application/json";
    headers["Idempotency-Key"] = dispatch.at("idempotency_key").get<std::string>();
    Json request{{"method", method_}, {"url", endpoint_url_}, {"headers", headers}, {"body", mapping_.apply(fields_.view(dispatch))}};
    return Json{{"requests", Json::array({request})}};
  }

  Outcome deliver(const Json& dispatch) override {
    std::string request_id = dispatch.at("request_id").get<std::string>();
    Outcome outcome;
    try {
      sdk::HttpResponse response = send(connectors::to_http_request(render(dispatch)["requests"][0]));
      if (connectors::is_success(response.status)) {
        auto reference = text_at(response.json(), reference_pointer_);
        if (!reference) return Outcome::sent();
        host().log(GUICHET_LOG_DEBUG, "request " + request_id + " acknowledged as " + *reference);
        return Outcome::acknowledged(*reference);
      }
      // Only the status: a partner's error body may quote what it was sent.
      outcome = sdk::classify_http_failure(response, kAgency);
    } catch (const connectors::Failure& failure) {
      outcome = failure.outcome();
    }
    host().log(GUICHET_LOG_WARNING, "request " + request_id + ": " + outcome.message);
    return outcome;
  }

  // Each open request with a reference is read again at status_url; a status other than the hub's
  // becomes an event. Without status_url the partner is never asked. The cursor is not used.
  Json poll(const Json& query) override {
    Json events = Json::array();
    if (status_url_.empty()) {
      return Json{{"events", events}, {"cursor", query.value("cursor", Json())}, {"reads_open", false}};
    }
    std::string now = connectors::format_rfc3339(host().now());
    for (const auto& open : query.value("open", Json::array())) {
      auto reference = text_field(open, "agency_reference");
      if (!reference) continue;
      std::string request_id = text_field(open, "request_id").value_or(*reference);
      sdk::HttpRequest request;
      request.url = status_url(*reference);
      request.headers["Accept"] = "application/json";
      sdk::HttpResponse response = send(request);
      if (!connectors::is_success(response.status)) {
        host().log(GUICHET_LOG_WARNING, "poll of request " + request_id + ": " +
                                            sdk::classify_http_failure(response, kAgency).message);
        continue;
      }
      Json body = response.json();
      auto status = text_at(body, status_pointer_);
      if (!status || !status_map_.contains(*status)) {
        host().log(GUICHET_LOG_WARNING, "poll of request " + request_id + ": status not in status_map");
        continue;
      }
      connectors::StatusEvent event;
      event.request_id = text_field(open, "request_id");
      event.agency_reference = *reference;
      event.state = status_map_[*status].get<std::string>();
      event.message = text_at(body, message_pointer_);
      event.at = now;
      if (event.state == open.value("state", std::string())) continue;
      events.push_back(event.to_json());
    }
    return Json{{"events", events}, {"cursor", query.value("cursor", Json())}};
  }

 private:
  std::string status_url(const std::string& reference) const {
    std::string url = status_url_;
    url.replace(url.find(kReferenceMarker), std::string(kReferenceMarker).size(),
                connectors::percent_encode(reference));
    return url;
  }

  // One exchange with the real credential; a 401 gets one fresh credential and one more try.
  // Throws Failure when the exchange did not happen.
  sdk::HttpResponse send(sdk::HttpRequest request) {
    request.timeout_ms = timeout_ms_;
    sdk::HttpResponse response = exchange(request);
    if (response.status == 401 && credentials_.renew()) response = exchange(request);
    return response;
  }

  sdk::HttpResponse exchange(sdk::HttpRequest request) {
    credentials_.apply(request);
    try {
      return host().http(request);
    } catch (const sdk::HostError& e) {
      std::string message = std::string(kAgency) + " unreachable: " + e.what();
      throw connectors::Failure(e.transient() ? Outcome::retry(message) : Outcome::config_error(message));
    }
  }

  connectors::DeclaredFields fields_;
  connectors::BodyMapping mapping_;
  Credentials credentials_;
  std::string endpoint_url_, method_, status_url_;
  Json status_map_;
  Json::json_pointer reference_pointer_, status_pointer_, message_pointer_;
  int timeout_ms_;
};

}  // namespace guichet::generic_rest

GUICHET_CONNECTOR(guichet::generic_rest::GenericRest, "generic_rest", "1.0.0")
