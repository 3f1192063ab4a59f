// OAuth2 client credentials (RFC 6749 §4.4) with a token cached until shortly before it expires.
#ifndef GUICHET_CONNECTORS_OAUTH_CLIENT_HPP
#define GUICHET_CONNECTORS_OAUTH_CLIENT_HPP

#include <guichet/sdk/connector.hpp>

#include <chrono>
#include <mutex>
#include <string>

namespace guichet::connectors {

struct OAuthSettings {
  std::string token_url;  // with any query the agency wants (France Travail's realm)
  std::string client_id;
  std::string client_secret_name;  // a secret *name*, looked up through the host
  std::string scope;
  std::string agency;  // for messages, e.g. "CAF"
  int timeout_ms = 10000;  // the whole token exchange, as for the API calls
};

class OAuthClient {
 public:
  OAuthClient(sdk::Host host, OAuthSettings settings);

  // A valid access token, fetched when none is cached or the cached one is about to expire.
  // Throws Failure: retry when the token endpoint is unavailable, config_error when it refuses
  // the credentials or the scope (retrying cannot help then).
  std::string token();
  // Forgets the cached token, after the API said it is no longer valid.
  void invalidate();

 private:
  std::string fetch(std::chrono::system_clock::time_point now);

  sdk::Host host_;
  OAuthSettings settings_;
  std::mutex mutex_;
  std::string token_;
  std::chrono::system_clock::time_point refresh_at_{};
};

}  // namespace guichet::connectors

#endif
