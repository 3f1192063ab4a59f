// Test keys of an OpenID provider: RSA key pairs made on the spot and their JWKS entries.
#ifndef GUICHET_HUB_HTTP_TESTS_OIDC_KEYS_H
#define GUICHET_HUB_HTTP_TESTS_OIDC_KEYS_H

#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/RSAKey.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

namespace guichet::http::test {

inline std::string base64url(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << bytes;
  encoder.close();
  return out.str();
}

inline Poco::Crypto::RSAKey new_rsa_key() {
  return Poco::Crypto::RSAKey(Poco::Crypto::RSAKey::KL_2048, Poco::Crypto::RSAKey::EXP_LARGE);
}

inline nlohmann::json jwk_of(const Poco::Crypto::RSAKey& key, const std::string& kid) {
  auto n = key.modulus();
  auto e = key.encryptionExponent();
  return {{"kty", "RSA"}, {"kid", kid}, {"use", "sig"}, {"alg", "RS256"},
          {"n", base64url(std::string(n.begin(), n.end()))}, {"e", base64url(std::string(e.begin(), e.end()))}};
}

inline std::string public_pem(const Poco::Crypto::RSAKey& key) {
  std::ostringstream pem;
  key.save(&pem);
  return pem.str();
}

}  // namespace guichet::http::test

#endif
