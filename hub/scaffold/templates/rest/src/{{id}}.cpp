// {{id}}: sends a request for the {{need}} need to the agency's REST API, authenticated with an API
// key the hub keeps as a secret. Replace the sample body in render() with the agency's format.
#include <guichet/sdk/connector.hpp>

namespace {

using guichet::sdk::HostError;
using guichet::sdk::HttpRequest;
using guichet::sdk::HttpResponse;
using guichet::sdk::Json;
using guichet::sdk::Outcome;

constexpr const char* kAgency = "{{id}}";

class {{Class}} : public guichet::sdk::Connector {
 public:
  {{Class}}(guichet::sdk::Host host, Json settings)
      : Connector(host, std::move(settings)), api_url_(this->settings().at("api_url").get<std::string>()) {}

  // What the dispatch becomes, from the dispatch alone: no host call, so the hub can preview it and
  // the golden test can pin it. Only declared fields are read; absent ones are left out.
  Json render(const Json& dispatch) override {
    const Json& person = dispatch.at("person");
    Json body{{"reference", dispatch.at("request_id")}, {"given_names", person.value("given_names", Json::array())}};
    if (person.contains("birth_name")) body["birth_name"] = person["birth_name"];
    // The phone goes only where the person said a call is safe.
    if (dispatch.at("situation").value("safe_channel", "") == "phone" && person.contains("phone")) {
      body["phone"] = person["phone"];
    }
    Json request{{"method", "POST"},
                 {"url", api_url_ + "/requests"},
                 {"headers", {{"Content-Type", "application/json"}, {"Idempotency-Key", dispatch.at("idempotency_key")}}},
                 {"body", body}};
    return Json{{"requests", Json::array({request})}};
  }

  // Sends what render() showed. The same idempotency key goes with every attempt, so the agency
  // can recognise a retry of a request it already holds.
  Outcome deliver(const Json& dispatch) override {
    Json rendered = render(dispatch)["requests"][0];
    HttpRequest request;
    request.method = rendered["method"].get<std::string>();
    request.url = rendered["url"].get<std::string>();
    request.headers = rendered["headers"].get<std::map<std::string, std::string>>();
    request.body = rendered["body"].dump();
    request.timeout_ms = settings().value("timeout_ms", 10000);
    HttpResponse response;
    try {
      request.headers["Authorization"] = "Bearer " + host().secret(settings().at("api_key_name").get<std::string>());
      response = host().http(request);
    } catch (const HostError& e) {
      // Never the request's content in a message: ids only.
      std::string message = std::string(kAgency) + " unreachable: " + e.what();
      return e.transient() ? Outcome::retry(message) : Outcome::config_error(message);
    }
    if (response.status < 200 || response.status >= 300) return guichet::sdk::classify_http_failure(response, kAgency);
    Json answer = response.json();
    if (answer.is_object() && answer.contains("id") && answer["id"].is_string()) {
      return Outcome::acknowledged(answer["id"].get<std::string>());
    }
    return Outcome::sent();
  }

 private:
  std::string api_url_;
};

}  // namespace

GUICHET_CONNECTOR({{Class}}, "{{id}}", "0.1.0")
