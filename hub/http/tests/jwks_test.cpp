#include "hub/http/jwks.h"

#include "hub/http/base64url.h"
#include "hub/http/tests/oidc_keys.h"

#include <gtest/gtest.h>

namespace guichet::http {
namespace {

using Json = nlohmann::json;
using test::jwk_of;

const Poco::Crypto::RSAKey& key() {
  static const Poco::Crypto::RSAKey made = test::new_rsa_key();
  return made;
}

std::string error_of(const Json& document) {
  try {
    Jwks::parse(document.dump(), "keys.json");
  } catch (const JwksError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Base64url, DecodesUnpaddedTextAndRefusesAnythingElse) {
  EXPECT_EQ(decode_base64url(test::base64url("any carnal pleas")), "any carnal pleas");
  const std::string binary("\xff\xfe\x00z", 4);
  EXPECT_EQ(decode_base64url(test::base64url(binary)), binary);
  EXPECT_EQ(decode_base64url(""), "");
  EXPECT_FALSE(decode_base64url("YQ=="));
  EXPECT_FALSE(decode_base64url("a+b/"));
  EXPECT_FALSE(decode_base64url("abcde"));
}

TEST(Jwks, FindsRsaSigningKeysByKid) {
  Json other_use = jwk_of(key(), "enc-1");
  other_use["use"] = "enc";
  Json document = {{"keys", {jwk_of(key(), "k1"), other_use, {{"kty", "EC"}, {"kid", "ec-1"}, {"crv", "P-256"}}}}};
  Jwks jwks = Jwks::parse(document.dump(), "keys.json");
  EXPECT_EQ(jwks.size(), 1u);
  ASSERT_TRUE(jwks.find("k1"));
  EXPECT_EQ(jwks.find("k1")->modulus(), key().modulus());
  EXPECT_FALSE(jwks.find("enc-1"));
  EXPECT_FALSE(jwks.find("ec-1"));
  EXPECT_FALSE(jwks.find("k2"));
}

TEST(Jwks, ErrorsNameTheKeyAndTheMemberButNoValue) {
  Json key1 = jwk_of(key(), "k1");
  Json no_kid = key1;
  no_kid.erase("kid");
  EXPECT_EQ(error_of({{"keys", {no_kid}}}), "keys.json: keys[0].kid: is required for a signing key");
  EXPECT_EQ(error_of({{"keys", {key1, key1}}}), "keys.json: keys[1].kid: another key has the same kid");
  Json bad_n = key1;
  bad_n["n"] = "not base64url!";
  EXPECT_EQ(error_of({{"keys", {bad_n}}}), "keys.json: keys[0].n: must be a base64url string");
  Json short_n = key1;
  short_n["n"] = test::base64url(std::string(128, '\xc3'));
  EXPECT_EQ(error_of({{"keys", {short_n}}}), "keys.json: keys[0].n: the modulus must be at least 2048 bits");
  Json even_e = key1;
  even_e["e"] = test::base64url(std::string("\x01\x00", 2));
  EXPECT_NE(error_of({{"keys", {even_e}}}).find("keys[0].e:"), std::string::npos);
  EXPECT_NE(error_of({{"keys", Json::array()}}).find("keys.json: keys: no RSA signing key"), std::string::npos);
  EXPECT_NE(error_of(Json::array()).find("keys.json: must be a JSON object"), std::string::npos);
  EXPECT_THROW(Jwks::load("/nonexistent/keys.json"), JwksError);
}

}  // namespace
}  // namespace guichet::http
