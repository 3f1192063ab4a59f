// OAuth2 client-credentials grant (RFC 6749 §4.4) for one registered client, and the check of the
// Bearer tokens it handed out.
//
// Thread-safety: all methods may be called concurrently.
#ifndef GUICHET_SIM_COMMON_TOKEN_ISSUER_HPP
#define GUICHET_SIM_COMMON_TOKEN_ISSUER_HPP

#include "common/http.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace guichet::sim {

struct TokenSettings {
  std::string client_id;
  std::string client_secret;
  std::set<std::string> allowed_scopes;
  std::chrono::seconds lifetime{1499};
  // France Travail adds a description to invalid_scope; CAF sends the bare error.
  std::string invalid_scope_description;
};

class TokenIssuer {
 public:
  explicit TokenIssuer(TokenSettings settings);

  // Answers a token request whose form body is `form_body` (application/x-www-form-urlencoded).
  Response grant(const std::string& form_body);

  // True when `authorization` is "Bearer <token>" for a token issued here and not expired yet.
  bool accepts(const std::string& authorization);

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  void forget_expired(SteadyTime now);

  const TokenSettings settings_;
  std::mutex mutex_;
  std::map<std::string, SteadyTime> expiry_by_token_;
};

// "a b  c" -> {"a", "b", "c"}: the OAuth2 scope list syntax.
std::set<std::string> split_scopes(const std::string& text);

// Decodes an application/x-www-form-urlencoded body; a repeated name keeps its last value.
std::map<std::string, std::string> parse_form(const std::string& body);

}  // namespace guichet::sim

#endif  // GUICHET_SIM_COMMON_TOKEN_ISSUER_HPP
