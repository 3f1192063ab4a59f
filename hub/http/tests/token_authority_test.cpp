#include "hub/http/token_authority.h"

#include "hub/cases/api_error.h"

#include <Poco/Base64Encoder.h>
#include <gtest/gtest.h>

#include <sstream>

namespace guichet::http {
namespace {

const std::string kSecret(40, 's');
int64_t now_ms = 1795000000000;

TokenAuthority authority(const std::string& secret = kSecret) {
  return TokenAuthority(secret, [] { return now_ms; });
}

bool refused(const std::string& header) {
  try {
    authority().verify(header);
  } catch (const cases::ApiError& e) {
    EXPECT_EQ(e.status(), 401);
    return true;
  }
  return false;
}

std::string base64url(const std::string& text) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << text;
  encoder.close();
  return out.str();
}

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
  EXPECT_FALSE(refused("Bearer " + token));
}

TEST(TokenAuthority, ShortSecretsAreRefused) {
  EXPECT_THROW(authority("short"), std::invalid_argument);
}

}  // namespace
}  // namespace guichet::http
