// How a generic REST partner authenticates the hub, from the instance's "auth" setting:
//   {"kind":"none"}
//   {"kind":"api_key","header":"X-Api-Key","secret_name":"dcdf-95.api_key"}
//   {"kind":"oauth2_client_credentials","token_url","client_id","client_secret_name","scope"}
// Secrets are named in the settings and read through the host, never written in the file.
#ifndef GUICHET_GENERIC_REST_CREDENTIALS_HPP
#define GUICHET_GENERIC_REST_CREDENTIALS_HPP

#include <guichet/connectors/oauth_client.hpp>
#include <guichet/sdk/connector.hpp>

#include <memory>
#include <string>

namespace guichet::generic_rest {

class Credentials {
 public:
  Credentials(sdk::Host host, const sdk::Json& auth);

  // The header render() shows in place of the credential, so golden files hold no secret.
  sdk::Json shown() const;
  // Sets the real header on `request`. Throws connectors::Failure (config_error) when the secret is
  // not configured, or whatever the token endpoint's failure means (see OAuthClient::token).
  void apply(sdk::HttpRequest& request);
  // After a 401: true when a fresh credential may help (a cached OAuth2 token), which it prepares.
  bool renew();

 private:
  sdk::Host host_;
  std::string kind_, header_, secret_name_;
  std::unique_ptr<connectors::OAuthClient> oauth_;
};

}  // namespace guichet::generic_rest

#endif
