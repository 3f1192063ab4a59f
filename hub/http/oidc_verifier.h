// RS256 tokens of an OpenID Connect provider (ProConnect in production): the signature by the
// JWKS key that the header's kid names, then the issuer and the audience the configuration
// expects. Lifetime (exp, nbf) and the référent and department claims are TokenAuthority's.
//
// Errors: check() throws ApiError 401 unauthenticated; messages quote nothing of the token.
// Thread-safety: immutable once built; check() may be called from any thread.
#ifndef GUICHET_HUB_HTTP_OIDC_VERIFIER_H
#define GUICHET_HUB_HTTP_OIDC_VERIFIER_H

#include "hub/http/jwks.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace guichet::http {

// The "oidc" section of config/guichet.json.
struct OidcSettings {
  std::string issuer;
  std::string audience;
  std::filesystem::path jwks_file;
  std::string department_claim = "dept";
  std::string referent_claim = "sub";
};

class OidcVerifier {
 public:
  OidcVerifier(OidcSettings settings, Jwks keys) : settings_(std::move(settings)), keys_(std::move(keys)) {}

  // `jwt` is the compact token whose header says RS256 and `kid`; `claims` its decoded payload.
  void check(const std::string& jwt, const std::string& kid, const nlohmann::json& claims) const;
  const OidcSettings& settings() const { return settings_; }

 private:
  OidcSettings settings_;
  Jwks keys_;
};

}  // namespace guichet::http

#endif
