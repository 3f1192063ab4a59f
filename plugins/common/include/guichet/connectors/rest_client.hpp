// Calls an agency's REST API with a bearer token, as rendered by a connector's render().
#ifndef GUICHET_CONNECTORS_REST_CLIENT_HPP
#define GUICHET_CONNECTORS_REST_CLIENT_HPP

#include <guichet/connectors/failure.hpp>
#include <guichet/connectors/oauth_client.hpp>
#include <guichet/sdk/connector.hpp>

#include <string>
#include <string_view>

namespace guichet::connectors {

// Whether an HTTP status is a success.
inline bool is_success(int status) { return status >= 200 && status < 300; }

// classify_http_failure, with the agency's error code and faulty field name when it gives them:
// codes, never values, so the message stays free of personal data.
sdk::Outcome failure_outcome(const sdk::HttpResponse& response, std::string_view agency);

// What render() shows in place of the real token, so golden files never hold a credential.
inline constexpr const char* kBearerShown = "Bearer <token>";

// Turns one rendered request {"method","url","headers","body"} into the request to send.
sdk::HttpRequest to_http_request(const sdk::Json& rendered);

class RestClient {
 public:
  RestClient(sdk::Host host, OAuthSettings oauth, int timeout_ms);

  // Sends a rendered request with a fresh bearer token. A 401 gets one new token and one more
  // try; any other answer, success or not, is returned. Throws Failure when the exchange did not
  // happen (retry if the transport may recover, config_error if the host refused the URL).
  sdk::HttpResponse send(sdk::HttpRequest request);

  // Sends one rendered request for a delivery or a withdrawal: a 2xx answer becomes what
  // `on_success` makes of it, anything else the failure the dispatcher acts on, logged under the
  // request id only.
  template <typename OnSuccess>
  sdk::Outcome submit(const std::string& request_id, const sdk::Json& rendered, OnSuccess on_success);

 private:
  sdk::HttpResponse exchange(sdk::HttpRequest request);

  sdk::Host host_;
  OAuthClient oauth_;
  std::string agency_;
  int timeout_ms_;
};


template <typename OnSuccess>
sdk::Outcome RestClient::submit(const std::string& request_id, const sdk::Json& rendered,
                                OnSuccess on_success) {
  sdk::Outcome outcome;
  try {
    sdk::HttpResponse response = send(to_http_request(rendered));
    if (is_success(response.status)) return on_success(response);
    outcome = failure_outcome(response, agency_);
  } catch (const Failure& failure) {
    outcome = failure.outcome();
  }
  host_.log(GUICHET_LOG_WARNING, "request " + request_id + ": " + outcome.message);
  return outcome;
}

}  // namespace guichet::connectors

#endif
