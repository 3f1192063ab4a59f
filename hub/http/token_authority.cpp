#include "hub/http/token_authority.h"

#include "hub/cases/api_error.h"

#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

namespace guichet::http {
namespace {

cases::ApiError unauthenticated(const std::string& why) { return cases::ApiError(401, "unauthenticated", why); }

// The only claims a référent token may carry a value for; anything identifying in it is an id.
constexpr int64_t kClockSkewMs = 60000;

}  // namespace

TokenAuthority::TokenAuthority(std::string secret, Clock clock) : secret_(std::move(secret)), clock_(std::move(clock)) {
  if (secret_.size() < 32) throw std::invalid_argument("the JWT secret must be at least 32 bytes long");
}

std::string TokenAuthority::mint(const std::string& referent, const std::string& department, int64_t ttl_s) const {
  Poco::JWT::Token token;
  token.setType("JWT");
  token.setSubject(referent);
  token.payload().set("dept", department);
  int64_t now = clock_();
  token.setIssuedAt(Poco::Timestamp(now * 1000));
  token.setExpiration(Poco::Timestamp((now + ttl_s * 1000) * 1000));
  Poco::JWT::Signer signer(secret_);
  return signer.sign(token, Poco::JWT::Signer::ALGO_HS256);
}

cases::Principal TokenAuthority::verify(const std::string& authorization) const {
  const std::string prefix = "Bearer ";
  if (authorization.compare(0, prefix.size(), prefix) != 0) throw unauthenticated("a Bearer token is required");
  Poco::JWT::Signer signer(secret_);  // accepts HS256 only, unless told otherwise
  Poco::JWT::Token token;
  try {
    if (!signer.tryVerify(authorization.substr(prefix.size()), token)) throw unauthenticated("the token is not valid");
  } catch (const Poco::Exception&) {
    throw unauthenticated("the token is not valid");
  }
  int64_t now = clock_();
  if (token.getExpiration().epochMicroseconds() == 0 || token.getExpiration().epochMicroseconds() / 1000 + kClockSkewMs < now) {
    throw unauthenticated("the token has expired");
  }
  if (token.payload().has("nbf") && token.getNotBefore().epochMicroseconds() / 1000 - kClockSkewMs > now) {
    throw unauthenticated("the token is not valid yet");
  }
  std::string subject = token.getSubject();
  std::string department = token.payload().optValue<std::string>("dept", "");
  if (subject.empty() || department.empty()) throw unauthenticated("the token lacks sub or dept");
  return {subject, department};
}

}  // namespace guichet::http
