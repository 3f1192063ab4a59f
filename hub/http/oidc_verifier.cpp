#include "hub/http/oidc_verifier.h"

#include "hub/cases/api_error.h"

#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

namespace guichet::http {
namespace {

cases::ApiError unauthenticated(const std::string& why) { return cases::ApiError(401, "unauthenticated", why); }

bool names_audience(const nlohmann::json& aud, const std::string& audience) {
  if (aud.is_string()) return aud.get<std::string>() == audience;
  if (!aud.is_array()) return false;
  for (const auto& one : aud) {
    if (one.is_string() && one.get<std::string>() == audience) return true;
  }
  return false;
}

}  // namespace

void OidcVerifier::check(const std::string& jwt, const std::string& kid, const nlohmann::json& claims) const {
  auto key = keys_.find(kid);
  if (!key) throw unauthenticated("the token's signing key is unknown");
  Poco::JWT::Signer signer(key);
  // The signer's default set is HS256: without this it would check an HMAC keyed with nothing.
  signer.setAlgorithms({Poco::JWT::Signer::ALGO_RS256});
  Poco::JWT::Token token;
  try {
    if (!signer.tryVerify(jwt, token)) throw unauthenticated("the token is not valid");
  } catch (const Poco::Exception&) {
    throw unauthenticated("the token is not valid");
  }
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != settings_.issuer ||
      !names_audience(claims.value("aud", nlohmann::json()), settings_.audience)) {
    throw unauthenticated("the token was not issued for this hub");
  }
}

}  // namespace guichet::http
