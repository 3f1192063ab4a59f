#include "credentials.hpp"

#include <guichet/connectors/failure.hpp>
#include <guichet/connectors/rest_client.hpp>

namespace guichet::generic_rest {

using sdk::Json;

namespace {

constexpr const char* kAgency = "partner";

}  // namespace

Credentials::Credentials(sdk::Host host, const Json& auth) : host_(host), kind_(auth.at("kind").get<std::string>()) {
  if (kind_ == "api_key") {
    header_ = auth.at("header").get<std::string>();
    secret_name_ = auth.at("secret_name").get<std::string>();
  } else if (kind_ == "oauth2_client_credentials") {
    header_ = "Authorization";
    oauth_ = std::make_unique<connectors::OAuthClient>(
        host, connectors::OAuthSettings{auth.at("token_url").get<std::string>(), auth.at("client_id").get<std::string>(),
                                        auth.at("client_secret_name").get<std::string>(),
                                        auth.value("scope", std::string()), kAgency});
  }
}

Json Credentials::shown() const {
  if (kind_ == "api_key") return Json{{header_, "<secret>"}};
  if (oauth_) return Json{{header_, connectors::kBearerShown}};
  return Json::object();
}

void Credentials::apply(sdk::HttpRequest& request) {
  if (kind_ == "api_key") {
    try {
      request.headers[header_] = host_.secret(secret_name_);
    } catch (const sdk::HostError& e) {
      throw connectors::Failure(sdk::Outcome::config_error(std::string("partner API key: ") + e.what()));
    }
  } else if (oauth_) {
    request.headers[header_] = "Bearer " + oauth_->token();
  }
}

bool Credentials::renew() {
  if (!oauth_) return false;
  oauth_->invalidate();
  return true;
}

}  // namespace guichet::generic_rest
