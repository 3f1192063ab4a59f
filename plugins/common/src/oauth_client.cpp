#include <guichet/connectors/failure.hpp>
#include <guichet/connectors/oauth_client.hpp>
#include <guichet/connectors/rest_client.hpp>
#include <guichet/connectors/url.hpp>

#include <algorithm>

namespace guichet::connectors {

namespace {

// Refresh this long before the announced expiry, so a token never expires in flight.
constexpr std::chrono::seconds kRefreshMargin{60};
// A token is kept no longer than this, whatever its endpoint announces: an announced lifetime of
// 2^63 s would not even fit the clock (found by fuzz_france_travail_answers).
constexpr std::chrono::seconds kLongestKept{24 * 3600};

}  // namespace

OAuthClient::OAuthClient(sdk::Host host, OAuthSettings settings)
    : host_(host), settings_(std::move(settings)) {}

std::string OAuthClient::token() {
  std::lock_guard lock(mutex_);
  auto now = host_.now();
  if (token_.empty() || now >= refresh_at_) token_ = fetch(now);
  return token_;
}

void OAuthClient::invalidate() {
  std::lock_guard lock(mutex_);
  token_.clear();
}

std::string OAuthClient::fetch(std::chrono::system_clock::time_point now) {
  std::string secret;
  try {
    secret = host_.secret(settings_.client_secret_name);
  } catch (const sdk::HostError& e) {
    throw Failure(sdk::Outcome::config_error(e.what()));
  }
  sdk::HttpRequest request;
  request.method = "POST";
  request.url = settings_.token_url;
  request.timeout_ms = settings_.timeout_ms;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = form_encode({{"grant_type", "client_credentials"},
                              {"client_id", settings_.client_id},
                              {"client_secret", secret},
                              {"scope", settings_.scope}});
  sdk::HttpResponse response;
  try {
    response = host_.http(request);
  } catch (const sdk::HostError& e) {
    std::string message = settings_.agency + " token endpoint unreachable: " + e.what();
    throw Failure(e.transient() ? sdk::Outcome::retry(message) : sdk::Outcome::config_error(message));
  }
  if (!is_success(response.status)) {
    sdk::Outcome outcome = failure_outcome(response, settings_.agency + " token endpoint");
    // A refused token request carries no personal data: any 4xx is this instance's configuration.
    if (outcome.result == sdk::Outcome::Result::data_error) {
      outcome = sdk::Outcome::config_error(outcome.message);
    }
    throw Failure(outcome);
  }
  sdk::Json body = response.json();
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string()) {
    throw Failure(sdk::Outcome::retry(settings_.agency + " token endpoint answered without a token"));
  }
  auto expires_in = body.find("expires_in");
  std::chrono::seconds lifetime{expires_in != body.end() && expires_in->is_number_integer()
                                    ? expires_in->get<long long>()
                                    : 0};
  lifetime = std::min(lifetime, kLongestKept);
  // A short-lived token is used once rather than cached past its end.
  refresh_at_ = lifetime > kRefreshMargin ? now + lifetime - kRefreshMargin : now;
  return body["access_token"].get<std::string>();
}

}  // namespace guichet::connectors
