#include "hub/http/token_authority.h"

#include "hub/cases/api_error.h"
#include "hub/http/tests/oidc_keys.h"

#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

namespace guichet::http {
namespace {

using test::base64url;
using Json = nlohmann::json;

const std::string kSecret(40, 's');
int64_t now_ms = 1795000000000;

TokenAuthority authority(const std::string& secret = kSecret) {
  return TokenAuthority(secret, [] { return now_ms; });
}

bool refused_by(const TokenAuthority& tokens, const std::string& header) {
  try {
    tokens.verify(header);
  } catch (const cases::ApiError& e) {
    EXPECT_EQ(e.status(), 401);
    EXPECT_EQ(e.code(), "unauthenticated");
    EXPECT_EQ(std::string(e.what()).find("alice"), std::string::npos) << "the message quotes the token";
    return true;
  }
  return false;
}

bool refused(const std::string& header) { return refused_by(authority(), header); }

TEST(TokenAuthority, MintedTokensVerify) {
  auto principal = authority().verify("Bearer " + authority().mint("alice", "95", 3600));
  EXPECT_EQ(principal.referent, "alice");
  EXPECT_EQ(principal.department, "95");
}

TEST(TokenAuthority, RefusesForgedExpiredAndUnsignedTokens) {
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused("Basic abc"));
  EXPECT_TRUE(refused("Bearer " + authority(std::string(40, 'x')).mint("alice", "95", 3600)));
  EXPECT_TRUE(refused("Bearer " + authority().mint("alice", "95", -120)));
  std::string unsigned_token = base64url(R"({"alg":"none","typ":"JWT"})") + "." +
                               base64url(R"({"sub":"alice","dept":"95","exp":4102444800})") + ".";
  EXPECT_TRUE(refused("Bearer " + unsigned_token));
  std::string token = authority().mint("alice", "95", 3600);
  std::string tampered = token;
  tampered[token.find('.') + 5] ^= 1;
  EXPECT_TRUE(refused("Bearer " + tampered));
  EXPECT_TRUE(refused("Bearer " + token + ".x"));
  EXPECT_FALSE(refused("Bearer " + token));
}

TEST(TokenAuthority, ShortSecretsAreRefused) {
  EXPECT_THROW(authority("short"), std::invalid_argument);
}

// The OpenID provider of these tests: its key pair, published in a JWKS file as "k1".
class OidcTokens : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    provider_ = new Poco::Crypto::RSAKey(test::new_rsa_key());
    impostor_ = new Poco::Crypto::RSAKey(test::new_rsa_key());
  }
  static void TearDownTestSuite() {
    delete provider_;
    delete impostor_;
  }

  void SetUp() override {
    jwks_file_ = std::filesystem::temp_directory_path() / ("guichet-jwks-" + std::to_string(std::random_device{}()));
    std::ofstream(jwks_file_) << Json{{"keys", {test::jwk_of(*provider_, "k1")}}}.dump();
  }
  void TearDown() override { std::filesystem::remove(jwks_file_); }

  TokenAuthority tokens(OidcSettings settings = {}) const {
    settings.issuer = kIssuer;
    settings.audience = kAudience;
    settings.jwks_file = jwks_file_;
    return TokenAuthority(kSecret, [] { return now_ms; }, OidcVerifier(settings, Jwks::load(jwks_file_)));
  }

  // An RS256 token as the provider issues it, changed by `edit` before signing.
  static std::string mint(const Poco::Crypto::RSAKey& key, const std::function<void(Poco::JWT::Token&)>& edit = {},
                          const std::string& algorithm = Poco::JWT::Signer::ALGO_RS256) {
    Poco::JWT::Token token;
    token.setType("JWT");
    token.header().set("kid", std::string("k1"));
    token.setIssuer(kIssuer);
    token.setAudience(kAudience);
    token.setSubject("alice");
    token.payload().set("dept", std::string("95"));
    token.setIssuedAt(Poco::Timestamp(now_ms * 1000));
    token.setExpiration(Poco::Timestamp((now_ms + 3600000) * 1000));
    if (edit) edit(token);
    Poco::JWT::Signer signer(Poco::SharedPtr<Poco::Crypto::RSAKey>(new Poco::Crypto::RSAKey(key)));
    return "Bearer " + signer.sign(token, algorithm);
  }

  bool refused(const std::string& header) const { return refused_by(tokens(), header); }

  static constexpr const char* kIssuer = "https://idp.example.fr/api/v2";
  static constexpr const char* kAudience = "guichet-95";
  static Poco::Crypto::RSAKey* provider_;
  static Poco::Crypto::RSAKey* impostor_;
  std::filesystem::path jwks_file_;
};

Poco::Crypto::RSAKey* OidcTokens::provider_ = nullptr;
Poco::Crypto::RSAKey* OidcTokens::impostor_ = nullptr;

TEST_F(OidcTokens, AValidTokenOfTheProviderVerifies) {
  auto principal = tokens().verify(mint(*provider_));
  EXPECT_EQ(principal.referent, "alice");
  EXPECT_EQ(principal.department, "95");
  auto many = mint(*provider_, [](auto& t) { t.setAudience(std::vector<std::string>{"other-app", kAudience}); });
  EXPECT_EQ(tokens().verify(many).referent, "alice");
  EXPECT_FALSE(refused("Bearer " + tokens().mint("alice", "95", 3600))) << "HS256 tokens keep working beside it";
}

TEST_F(OidcTokens, TheClaimsNamedInTheConfigurationAreRead) {
  OidcSettings settings;
  settings.referent_claim = "email";
  settings.department_claim = "departement";
  auto header = mint(*provider_, [](auto& t) {
    t.payload().set("email", std::string("alice@ville.example.fr"));
    t.payload().set("departement", std::string("93"));
  });
  auto principal = tokens(settings).verify(header);
  EXPECT_EQ(principal.referent, "alice@ville.example.fr");
  EXPECT_EQ(principal.department, "93");
  EXPECT_TRUE(refused_by(tokens(settings), mint(*provider_)));
}

TEST_F(OidcTokens, WrongIssuerOrAudienceIsRefused) {
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.setIssuer("https://evil.example.org"); })));
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.payload().remove("iss"); })));
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.setAudience("another-hub"); })));
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.setAudience(std::vector<std::string>{"a", "b"}); })));
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.payload().remove("aud"); })));
}

TEST_F(OidcTokens, LifetimeIsChecked) {
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.setExpiration(Poco::Timestamp((now_ms - 61000) * 1000)); })));
  EXPECT_FALSE(refused(mint(*provider_, [](auto& t) { t.setExpiration(Poco::Timestamp((now_ms - 30000) * 1000)); })));
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.payload().remove("exp"); })));
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.setNotBefore(Poco::Timestamp((now_ms + 120000) * 1000)); })));
  EXPECT_FALSE(refused(mint(*provider_, [](auto& t) { t.setNotBefore(Poco::Timestamp((now_ms + 30000) * 1000)); })));
}

TEST_F(OidcTokens, UnknownOrMissingKidIsRefused) {
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.header().set("kid", std::string("k2")); })));
  EXPECT_TRUE(refused(mint(*provider_, [](auto& t) { t.header().remove("kid"); })));
}

TEST_F(OidcTokens, ForgeriesAreRefused) {
  // alg none, with and without the provider's kid.
  std::string claims = base64url(Json{{"iss", kIssuer}, {"aud", kAudience}, {"sub", "alice"}, {"dept", "95"},
                                      {"exp", now_ms / 1000 + 3600}}.dump());
  EXPECT_TRUE(refused("Bearer eyJhbGciOiJub25lIn0." + claims + "."));
  EXPECT_TRUE(refused("Bearer " + base64url(R"({"alg":"none","kid":"k1"})") + "." + claims + "."));
  // Algorithm confusion: the provider's claims as HS256, keyed with what a careless verifier would
  // take for the secret: the public key's PEM, or the JWKS file itself.
  Poco::JWT::Token claims_of_provider(mint(*provider_).substr(7));
  const std::string jwks_text = Json{{"keys", {test::jwk_of(*provider_, "k1")}}}.dump();
  for (const std::string& secret : {test::public_pem(*provider_), jwks_text}) {
    ASSERT_GE(secret.size(), 32u);
    EXPECT_TRUE(refused("Bearer " + Poco::JWT::Signer(secret).sign(claims_of_provider, Poco::JWT::Signer::ALGO_HS256)));
  }
  // Another key under the provider's kid, another RSA algorithm, a changed payload.
  EXPECT_TRUE(refused(mint(*impostor_)));
  EXPECT_TRUE(refused(mint(*provider_, {}, Poco::JWT::Signer::ALGO_RS512)));
  std::string token = mint(*provider_);
  size_t payload = token.find('.') + 1;
  std::string tampered = token.substr(0, payload) +
                         base64url(Json{{"iss", kIssuer}, {"aud", kAudience}, {"sub", "bob"}, {"dept", "95"},
                                        {"exp", now_ms / 1000 + 3600}}.dump()) +
                         token.substr(token.find('.', payload));
  EXPECT_TRUE(refused(tampered));
  EXPECT_FALSE(refused(token));
}

TEST_F(OidcTokens, WithoutOidcConfiguredRs256IsRefused) {
  EXPECT_TRUE(refused_by(authority(), mint(*provider_)));
}

}  // namespace
}  // namespace guichet::http
