// Bearer tokens, of two kinds, told apart by the header's alg:
//  - HS256, minted by `guichet token` with the hub's own key: `sub` is the référent, `dept` the
//    department;
//  - RS256 with a kid, from the OpenID provider of the "oidc" configuration (OidcVerifier), with
//    the référent and department in the claims it names.
// Any other alg ("none", HS512, RS256 without a kid or without an "oidc" section) is refused, and
// so is algorithm confusion: an HS256 token is only ever checked with the hub's own key, never a
// JWKS one. Both kinds need `exp`, and `nbf` when present, with 60 s of clock skew.
//
// Errors: verify() throws ApiError 401 unauthenticated; messages quote nothing of the token.
// Thread-safety: immutable once built; verify() may be called from any thread.
#ifndef GUICHET_HUB_HTTP_TOKEN_AUTHORITY_H
#define GUICHET_HUB_HTTP_TOKEN_AUTHORITY_H

#include "hub/cases/case_service.h"
#include "hub/domain/time.h"
#include "hub/http/oidc_verifier.h"

#include <optional>
#include <string>

namespace guichet::http {

class TokenAuthority {
 public:
  // Without `oidc`, only HS256 tokens are accepted.
  TokenAuthority(std::string secret, Clock clock, std::optional<OidcVerifier> oidc = std::nullopt);

  std::string mint(const std::string& referent, const std::string& department, int64_t ttl_s) const;
  // From an Authorization header.
  cases::Principal verify(const std::string& authorization) const;

 private:
  void check_hs256(const std::string& jwt) const;

  std::string secret_;
  Clock clock_;
  std::optional<OidcVerifier> oidc_;
};

}  // namespace guichet::http

#endif
