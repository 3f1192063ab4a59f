#include "hub/privacy/sealing.h"

#include <gtest/gtest.h>

namespace guichet::privacy {
namespace {

TEST(Sealing, RoundTripsAndHidesThePlaintext) {
  std::string key = random_bytes(kKeyBytes);
  std::string sealed = seal(key, R"({"birth_name":"Benali"})", "c_1");
  EXPECT_EQ(sealed.rfind("g1.", 0), 0u);
  EXPECT_EQ(sealed.find("Benali"), std::string::npos);
  EXPECT_EQ(open_sealed(key, sealed, "c_1"), R"({"birth_name":"Benali"})");
  EXPECT_NE(seal(key, "same", "c_1"), seal(key, "same", "c_1"));  // a fresh nonce each time
}

TEST(Sealing, RefusesAWrongKeyContextOrAnyModification) {
  std::string key = random_bytes(kKeyBytes);
  std::string sealed = seal(key, "secret", "c_1");
  EXPECT_THROW(open_sealed(random_bytes(kKeyBytes), sealed, "c_1"), SealError);
  EXPECT_THROW(open_sealed(key, sealed, "c_2"), SealError);
  std::string tampered = sealed;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_THROW(open_sealed(key, tampered, "c_1"), SealError);
  EXPECT_THROW(open_sealed(key, "plain text", "c_1"), SealError);
  EXPECT_THROW(seal("short", "x", "c_1"), SealError);
}

}  // namespace
}  // namespace guichet::privacy
