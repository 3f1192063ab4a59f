#include <guichet/connectors/failure.hpp>
#include <guichet/connectors/rest_client.hpp>

namespace guichet::connectors {

sdk::HttpRequest to_http_request(const sdk::Json& rendered) {
  sdk::HttpRequest request;
  request.method = rendered.at("method").get<std::string>();
  request.url = rendered.at("url").get<std::string>();
  request.headers = rendered.at("headers").get<std::map<std::string, std::string>>();
  // JSON bodies are rendered as JSON for readable golden files, and sent as their compact text.
  const sdk::Json& body = rendered.at("body");
  request.body = body.is_string() ? body.get<std::string>() : body.dump();
  return request;
}

sdk::Outcome failure_outcome(const sdk::HttpResponse& response, std::string_view agency) {
  sdk::Outcome outcome = sdk::classify_http_failure(response, agency);
  sdk::Json body = response.json();
  if (!body.is_object()) return outcome;
  for (const char* key : {"error", "champ"}) {
    if (body.contains(key) && body[key].is_string()) {
      outcome.message += std::string(" ") + key + "=" + body[key].get<std::string>();
    }
  }
  return outcome;
}

namespace {

// The token request waits no longer than the calls it opens the way to.
OAuthSettings with_timeout(OAuthSettings oauth, int timeout_ms) {
  oauth.timeout_ms = timeout_ms;
  return oauth;
}

}  // namespace

RestClient::RestClient(sdk::Host host, OAuthSettings oauth, int timeout_ms)
    : host_(host), oauth_(host, with_timeout(oauth, timeout_ms)), agency_(oauth.agency), timeout_ms_(timeout_ms) {}

sdk::HttpResponse RestClient::send(sdk::HttpRequest request) {
  request.timeout_ms = timeout_ms_;
  sdk::HttpResponse response = exchange(request);
  if (response.status == 401) {
    // The agency may have revoked the token before its announced expiry: one fresh token, once.
    oauth_.invalidate();
    response = exchange(request);
  }
  return response;
}

sdk::HttpResponse RestClient::exchange(sdk::HttpRequest request) {
  request.headers["Authorization"] = "Bearer " + oauth_.token();
  try {
    return host_.http(request);
  } catch (const sdk::HostError& e) {
    std::string message = agency_ + " API unreachable: " + e.what();
    throw Failure(e.transient() ? sdk::Outcome::retry(message) : sdk::Outcome::config_error(message));
  }
}

}  // namespace guichet::connectors
