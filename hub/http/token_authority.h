// Bearer tokens of the embedded default: HS256 JWTs whose `sub` is the référent and whose `dept`
// claim is the department. Only HS256 is accepted, so "alg":"none" and algorithm confusion are
// refused by construction; an expired token is refused like a forged one.
#ifndef GUICHET_HUB_HTTP_TOKEN_AUTHORITY_H
#define GUICHET_HUB_HTTP_TOKEN_AUTHORITY_H

#include "hub/cases/case_service.h"
#include "hub/domain/time.h"

#include <string>

namespace guichet::http {

class TokenAuthority {
 public:
  TokenAuthority(std::string secret, Clock clock);

  std::string mint(const std::string& referent, const std::string& department, int64_t ttl_s) const;
  // From an Authorization header; throws ApiError 401 unauthenticated.
  cases::Principal verify(const std::string& authorization) const;

 private:
  std::string secret_;
  Clock clock_;
};

}  // namespace guichet::http

#endif
