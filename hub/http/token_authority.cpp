#include "hub/http/token_authority.h"

#include "hub/cases/api_error.h"
#include "hub/http/base64url.h"
#include "hub/http/json_body.h"

#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

namespace guichet::http {
namespace {

using Json = nlohmann::json;

cases::ApiError unauthenticated(const std::string& why) { return cases::ApiError(401, "unauthenticated", why); }

constexpr int64_t kClockSkewMs = 60000;

// One part of a compact JWT as a JSON object, parsed as strictly as a request body: a key given
// twice could mean one thing to this parser and another to the signer's.
Json json_part(std::string_view part) {
  auto text = decode_base64url(part);
  if (!text || text->empty()) throw unauthenticated("the token is not valid");
  try {
    Json object = parse_json_body(*text);
    if (object.is_object()) return object;
  } catch (const cases::ApiError&) {
  }
  throw unauthenticated("the token is not valid");
}

std::string text_claim(const Json& claims, const std::string& name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void check_lifetime(const Json& claims, int64_t now_ms) {
  auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number()) throw unauthenticated("the token has no expiry");
  if (exp->get<double>() * 1000 + kClockSkewMs < static_cast<double>(now_ms)) {
    throw unauthenticated("the token has expired");
  }
  auto nbf = claims.find("nbf");
  if (nbf == claims.end()) return;
  if (!nbf->is_number() || nbf->get<double>() * 1000 - kClockSkewMs > static_cast<double>(now_ms)) {
    throw unauthenticated("the token is not valid yet");
  }
}

}  // namespace

TokenAuthority::TokenAuthority(std::string secret, Clock clock, std::optional<OidcVerifier> oidc)
    : secret_(std::move(secret)), clock_(std::move(clock)), oidc_(std::move(oidc)) {
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

void TokenAuthority::check_hs256(const std::string& jwt) const {
  Poco::JWT::Signer signer(secret_);  // accepts HS256 only, unless told otherwise
  Poco::JWT::Token token;
  try {
    if (signer.tryVerify(jwt, token)) return;
  } catch (const Poco::Exception&) {
  }
  throw unauthenticated("the token is not valid");
}

cases::Principal TokenAuthority::verify(const std::string& authorization) const {
  const std::string prefix = "Bearer ";
  if (authorization.compare(0, prefix.size(), prefix) != 0) throw unauthenticated("a Bearer token is required");
  const std::string jwt = authorization.substr(prefix.size());
  size_t first = jwt.find('.');
  size_t second = first == std::string::npos ? first : jwt.find('.', first + 1);
  if (second == std::string::npos || jwt.find('.', second + 1) != std::string::npos) {
    throw unauthenticated("the token is not valid");
  }
  const Json header = json_part(std::string_view(jwt).substr(0, first));
  const Json claims = json_part(std::string_view(jwt).substr(first + 1, second - first - 1));
  const std::string alg = text_claim(header, "alg");
  std::string referent_claim = "sub", department_claim = "dept";
  if (alg == Poco::JWT::Signer::ALGO_HS256) {
    check_hs256(jwt);
  } else if (alg == Poco::JWT::Signer::ALGO_RS256 && oidc_ && !text_claim(header, "kid").empty()) {
    oidc_->check(jwt, text_claim(header, "kid"), claims);
    referent_claim = oidc_->settings().referent_claim;
    department_claim = oidc_->settings().department_claim;
  } else {
    throw unauthenticated("the token is not valid");
  }
  check_lifetime(claims, clock_());
  std::string referent = text_claim(claims, referent_claim);
  std::string department = text_claim(claims, department_claim);
  if (referent.empty() || department.empty()) throw unauthenticated("the token lacks the référent or the department");
  return {referent, department};
}

}  // namespace guichet::http
